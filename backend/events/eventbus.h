// SPDX-License-Identifier: MIT
// Delivers committed events to in-process subscribers, each on its own
// thread (the thread of its context QObject), never before the commit.
//
// A plain subscriber sees the events committed after it subscribed. A
// durable subscriber keeps a checkpoint in the database and applies each
// event in a transaction that also advances the checkpoint, so its effects
// happen exactly once: a crash between commit and delivery, or during it,
// loses nothing and doubles nothing; start() replays from the checkpoint.
#pragma once

#include "backend/core/error.h"
#include "backend/events/event.h"

#include <QObject>
#include <functional>
#include <memory>

namespace colophon {

class Database;
class EventLog;
class Logger;
class Transaction;

class EventBus final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventBus)

public:
    using Handler = std::function<void(const Event &)>;
    using DurableHandler = std::function<Result<void>(Transaction &, const Event &)>;

    // Hooks itself into log as its committed-listener.
    EventBus(Database &db, EventLog &log, Logger &logger, QObject *parent = nullptr);
    ~EventBus() override;

    int subscribe(const QString &name, QObject *context, Handler handler);
    // Registers a durable subscriber; it starts delivering at start() (or at
    // once if the bus has started), from its stored checkpoint.
    int subscribeDurable(const QString &name, QObject *context, DurableHandler handler);
    void unsubscribe(int id);

    // Replays every durable subscriber from its checkpoint, then follows the log.
    void start();

    // The stored checkpoint of a durable subscriber (0 when it has none).
    Result<qint64> checkpoint(const QString &name) const;

private:
    struct Shared;
    std::shared_ptr<Shared> m_shared;
};

} // namespace colophon
