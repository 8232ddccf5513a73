// SPDX-License-Identifier: MIT
// Reading JSON request bodies the same way on every route: a body that is not
// a JSON object is 400; a member the route does not take, or a member of the
// wrong type, is an InvalidInput error (422) naming it.
#pragma once

#include "backend/core/error.h"
#include "backend/http/httpmessage.h"

#include <initializer_list>
#include <optional>
#include <set>
#include <string>

namespace colophon {

// The body as a JSON object with only the allowed members, or the answer to
// send instead.
std::optional<HttpResponse> readObject(const HttpRequest &req, const std::set<std::string> &allowed,
                                       nlohmann::json &out);

// A string member; absent is an error only when required (and then an empty string).
Result<QString> stringField(const nlohmann::json &j, const char *key, bool required = true);

// Reads the named string members into their targets; the answer to send when one is wrong.
std::optional<HttpResponse>
readStrings(const nlohmann::json &body, bool required,
            std::initializer_list<std::pair<const char *, QString *>> fields);

// A body of exactly these string members, all required, read into their targets.
std::optional<HttpResponse>
readStringBody(const HttpRequest &req,
               std::initializer_list<std::pair<const char *, QString *>> fields);

} // namespace colophon
