// SPDX-License-Identifier: MIT
// The user service's REST routes: /api/v1/auth/... and /api/v1/me/...
#pragma once

#include "backend/core/error.h"
#include "services/user/user.h"

namespace colophon {

class Router;
class UserService;
struct HttpRequest;

void registerUserRoutes(Router &router, UserService &users);

// The actor behind "Authorization: Bearer <token>", or Unauthenticated. Sets
// request.userId for the access log. Other services' routes call this too.
Result<Actor> bearerActor(UserService &users, HttpRequest &request);

} // namespace colophon
