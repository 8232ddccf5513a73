// SPDX-License-Identifier: MIT
// What a service declares so that its events replicate (DESIGN §4): the sync
// layer knows nothing of any service beyond this contract. A service plugs in
// by registering one handler for its event types; nothing else.
//
// Invariants a handler keeps: apply() is idempotent and order-independent
// (the same set of events gives the same rows, in any order, any number of
// times), so replicas and the server converge by applying what they pull;
// reset() followed by apply() of a stream's remaining events gives exactly
// the rows those events make (that is how a rejected event is undone);
// validate() reads the server's current state and never trusts the actor the
// event names, only the principal the server authenticated.
#pragma once

#include "backend/auth/permissions.h"
#include "backend/core/error.h"
#include "backend/events/event.h"

#include <memory>
#include <vector>

namespace colophon {

class Transaction;

// The authenticated user on whose behalf a replica pushes and pulls.
struct Principal
{
    QString userId;
    Role role = Role::Consumer;
};

// Whether a principal may receive an event of the server's log.
enum class Visibility {
    Hidden,
    Visible,
    // Visible, and the first the principal sees of its stream (an item of
    // someone else just published): the stream's earlier events go first.
    VisibleWithHistory,
};

class ReplicationHandler
{
public:
    virtual ~ReplicationHandler() = default;

    // True for the event types this handler replicates.
    virtual bool handles(const QString &eventType) const = 0;

    // Everywhere: applies a stored event to the projections.
    virtual Result<void> apply(Transaction &tx, const Event &event) = 0;

    // Replica: forgets everything the projections hold of stream, so that its
    // remaining events can be applied again from nothing.
    virtual Result<void> reset(Transaction &tx, const QString &stream) = 0;

    // Server: decides a pushed event as principal against the current state,
    // inside the transaction that will store and apply it. An error rejects
    // the event (its code and message go back to the replica); success may
    // add events the server appends after it (a merged body, a conflict
    // record, a fixed slug).
    virtual Result<std::vector<NewEvent>> validate(Transaction &tx, const Principal &principal,
                                                   const Event &event) = 0;

    // Server: whether principal may receive event, given the current state.
    virtual Visibility visibility(Transaction &tx, const Principal &principal,
                                  const Event &event) = 0;

    // Snapshots (sync/syncsnapshot.h): the projection tables holding what
    // this handler's streams make, each with an SQL expression over its
    // columns naming a row's stream. A stream's rows are exactly what
    // apply() of its events makes, so copying the rows of whole streams
    // equals applying their events.
    struct SnapshotTable
    {
        QString table;
        QString stream; // e.g. "'content/' || content_id"
    };
    virtual std::vector<SnapshotTable> snapshotTables() const = 0;

    // Replica: rows were copied in from a snapshot, past apply(): drop what
    // is cached of the projections.
    virtual void snapshotInstalled(Transaction &tx) = 0;
};

// The handlers of one process, by event type.
class ReplicationRegistry final
{
public:
    void add(ReplicationHandler *handler) { m_handlers.push_back(handler); }
    // The handler of the type, or null: an event of no handler stays local.
    ReplicationHandler *handlerFor(const QString &eventType) const
    {
        for (ReplicationHandler *h : m_handlers) {
            if (h->handles(eventType)) {
                return h;
            }
        }
        return nullptr;
    }
    bool replicates(const QString &eventType) const { return handlerFor(eventType) != nullptr; }
    const std::vector<ReplicationHandler *> &handlers() const { return m_handlers; }

private:
    std::vector<ReplicationHandler *> m_handlers;
};

} // namespace colophon
