// SPDX-License-Identifier: MIT
// Small helpers shared by the content service's sources (private to
// services/content).
#pragma once

#include "backend/core/error.h"
#include "backend/events/event.h"
#include "services/user/user.h"

#include <QStringList>

namespace colophon::contentutil {

inline nlohmann::json jsonList(const QStringList &values)
{
    nlohmann::json out = nlohmann::json::array();
    for (const QString &v : values) {
        out.push_back(v.toStdString());
    }
    return out;
}

// An event of the aggregate `stream`/id, by the actor.
inline NewEvent event(const char *type, const char *stream, const QString &id, const Actor &actor,
                      nlohmann::json payload)
{
    payload["id"] = id.toStdString();
    return {QLatin1String(type), QLatin1String(stream) + u'/' + id, std::move(payload),
            actor.userId, 1};
}

inline Error forbidden(const QString &message)
{
    return {ErrorCode::PermissionDenied, message, {}};
}

} // namespace colophon::contentutil
