// SPDX-License-Identifier: MIT
// The routes every server has: liveness, readiness, metrics, the API document.
#pragma once

namespace colophon {

class Router;
class ServiceHost;

void registerSystemRoutes(Router &router, ServiceHost &host);

} // namespace colophon
