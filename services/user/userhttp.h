// SPDX-License-Identifier: MIT
// The user service's REST routes: /api/v1/auth/... and /api/v1/me/...
#pragma once

#include "backend/core/error.h"
#include "backend/http/httpmessage.h"
#include "services/user/user.h"

namespace colophon {

class Router;
class UserService;

void registerUserRoutes(Router &router, UserService &users);

// The actor behind "Authorization: Bearer <token>", or Unauthenticated. Sets
// request.userId for the access log. Other services' routes call this too.
Result<Actor> bearerActor(UserService &users, HttpRequest &request);

// The problem for an error; a 401 with the Bearer challenge.
HttpResponse unauthorizedResponse(const Error &e);

// Runs fn with the bearer's actor, or answers 401.
template <typename F> HttpResponse withActor(UserService &users, HttpRequest &req, F &&fn)
{
    auto actor = bearerActor(users, req);
    if (!actor) {
        return unauthorizedResponse(actor.error());
    }
    return fn(*actor);
}

} // namespace colophon
