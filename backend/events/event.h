// SPDX-License-Identifier: MIT
// A domain event: the unit of change, of the log and of replication.
#pragma once

#include "backend/core/error.h"
#include "backend/events/hybridclock.h"

#include <QString>
#include <QUuid>
#include <nlohmann/json.hpp>
#include <optional>

namespace colophon {

// What a service hands to EventLog::append; the log stamps the rest.
struct NewEvent
{
    QString type;   // "ContentCreated"
    QString stream; // the aggregate, "content/<id>"
    nlohmann::json payload = nlohmann::json::object();
    QString actorId; // the user on whose behalf; empty for the system
    int typeVersion = 1;
};

struct Event
{
    QUuid id; // UUIDv7
    QString type;
    QString stream;
    nlohmann::json payload;
    QString actorId;
    QString replicaId;
    Hlc hlc;
    qint64 localSeq = 0;             // this replica's order
    std::optional<qint64> serverSeq; // the server's order, once it has the event
    int typeVersion = 1;
    QString traceparent; // W3C trace context of the request that caused it
    qint64 recordedAtMs = 0;
    // Why the server refused this replica's event ({code, message}); null
    // when it did not. A refused event stays in the log, out of the projections.
    nlohmann::json rejection;

    nlohmann::json toJson() const;
    // The event as the sync protocol carries it (no local order, no trace).
    nlohmann::json toWire() const;
    // An event from its wire form; InvalidInput naming the bad field.
    static Result<Event> fromWire(const nlohmann::json &wire);
};

} // namespace colophon
