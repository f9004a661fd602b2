/*  dashboard: socin-web's front page for the reader's territory and a period —
    participation, target progress (OGP CZ0046) with the qualifying municipalities, plan
    fulfilment, completeness and timeliness of every data set with the units that reported
    nothing, and one indicator from the catalogue by territory and over time. A public reader
    sees only the sections the operator made public. Routes: web_dashboard_routes (view.h). */
#ifndef SOCIN_WEB_DASHBOARD_H
#define SOCIN_WEB_DASHBOARD_H

#include "view.h"

#endif
