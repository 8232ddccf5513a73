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

nlohmann::json Event::toWire() const
{
    return {
        {"id", uuidText(id).toStdString()},
        {"type", type.toStdString()},
        {"typeVersion", typeVersion},
        {"stream", stream.toStdString()},
        {"payload", payload},
        {"actorId", actorId.toStdString()},
        {"replicaId", replicaId.toStdString()},
        {"hlc", hlc.toString().toStdString()},
    };
}

Result<Event> Event::fromWire(const nlohmann::json &wire)
{
    if (!wire.is_object()) {
        return fail(Error::invalid(QStringLiteral("an event must be a JSON object")));
    }
    const auto text = [&](const char *key) -> std::optional<QString> {
        const auto it = wire.find(key);
        if (it == wire.end() || !it->is_string()) {
            return std::nullopt;
        }
        return QString::fromStdString(it->get<std::string>());
    };
    Event e;
    const auto id = text("id");
    e.id = id ? QUuid::fromString(*id) : QUuid();
    if (e.id.isNull()) {
        return fail(
            Error::invalid(QStringLiteral("an event needs a UUID id"), QStringLiteral("id")));
    }
    const auto type = text("type");
    const auto stream = text("stream");
    if (!type || type->isEmpty() || type->size() > 100) {
        return fail(
            Error::invalid(QStringLiteral("an event needs a type"), QStringLiteral("type")));
    }
    if (!stream || stream->isEmpty() || stream->size() > 200) {
        return fail(
            Error::invalid(QStringLiteral("an event needs a stream"), QStringLiteral("stream")));
    }
    e.type = *type;
    e.stream = *stream;
    const auto payload = wire.find("payload");
    if (payload == wire.end() || !payload->is_object()) {
        return fail(Error::invalid(QStringLiteral("an event payload must be a JSON object"),
                                   QStringLiteral("payload")));
    }
    e.payload = *payload;
    e.actorId = text("actorId").value_or(QString());
    e.replicaId = text("replicaId").value_or(QString());
    const auto hlc = text("hlc");
    const auto stamp = hlc ? Hlc::parse(*hlc) : std::nullopt;
    if (!stamp) {
        return fail(Error::invalid(QStringLiteral("an event needs a hybrid logical clock stamp"),
                                   QStringLiteral("hlc")));
    }
    e.hlc = *stamp;
    const auto version = wire.find("typeVersion");
    e.typeVersion = version != wire.end() && version->is_number_integer() ? version->get<int>() : 1;
    return e;
}

} // namespace colophon
