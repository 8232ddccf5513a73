// SPDX-License-Identifier: MIT
#include "backend/events/event.h"

#include "backend/events/uuidv7.h"

namespace colophon {

nlohmann::json Event::toJson() const
{
    nlohmann::json j = {
        {"id", uuidText(id).toStdString()},
        {"type", type.toStdString()},
        {"typeVersion", typeVersion},
        {"stream", stream.toStdString()},
        {"payload", payload},
        {"actorId",
         actorId.isEmpty() ? nlohmann::json(nullptr) : nlohmann::json(actorId.toStdString())},
        {"replicaId", replicaId.toStdString()},
        {"hlc", hlc.toString().toStdString()},
        {"localSeq", localSeq},
        {"serverSeq", serverSeq ? nlohmann::json(*serverSeq) : nlohmann::json(nullptr)},
        {"recordedAt", recordedAtMs},
    };
    if (!traceparent.isEmpty()) {
        j["traceparent"] = traceparent.toStdString();
    }
    return j;
}

} // namespace colophon
