// SPDX-License-Identifier: MIT
#include "backend/events/eventbus.h"

#include "backend/db/database.h"
#include "backend/db/sqlquery.h"
#include "backend/events/eventlog.h"
#include "backend/observability/logger.h"
#include "backend/observability/tracecontext.h"

#include <QDateTime>
#include <QMutex>
#include <QMutexLocker>
#include <QPointer>
#include <QTimer>
#include <atomic>
#include <vector>

namespace colophon {

namespace {
constexpr int kBatch = 256;
constexpr int kRetryMs = 1000;

struct Subscriber
{
    int id = 0;
    QString name;
    bool durable = false;
    QPointer<QObject> context;
    EventBus::Handler handler;
    EventBus::DurableHandler durableHandler;
    std::atomic<qint64> cursor{0};
    std::atomic<bool> scheduled{false};
    std::atomic<bool> active{true};
    bool loaded = false; // durable: cursor read from its checkpoint (context thread only)
};

} // namespace

struct EventBus::Shared : std::enable_shared_from_this<EventBus::Shared>
{
    Shared(Database &d, EventLog &l, Logger &lg) : db(d), log(l), logger(lg) {}
    Database &db;
    EventLog &log;
    Logger &logger;
    QMutex mutex;
    std::vector<std::shared_ptr<Subscriber>> subscribers; // guarded by mutex
    int nextId = 1;                                       // guarded by mutex
    std::atomic<bool> started{false};

    void notify(qint64 seq);
    void schedule(const std::shared_ptr<Subscriber> &sub, int delayMs = 0);
    void pump(const std::shared_ptr<Subscriber> &sub);
    bool deliverDurable(Subscriber &sub, const Event &e);
};

void EventBus::Shared::schedule(const std::shared_ptr<Subscriber> &sub, int delayMs)
{
    if (!sub->active || !sub->context || sub->scheduled.exchange(true)) {
        return;
    }
    // The functor holds only weak references: a bus or subscriber gone before
    // it runs makes it a no-op.
    auto run = [weakSub = std::weak_ptr<Subscriber>(sub), weakSelf = weak_from_this()] {
        auto self = weakSelf.lock();
        auto s = weakSub.lock();
        if (self && s) {
            self->pump(s);
        }
    };
    if (delayMs > 0) {
        QTimer::singleShot(delayMs, sub->context.data(), run);
    } else {
        QMetaObject::invokeMethod(sub->context.data(), run, Qt::QueuedConnection);
    }
}

bool EventBus::Shared::deliverDurable(Subscriber &sub, const Event &e)
{
    auto apply = [&](Transaction &tx) -> Result<void> {
        if (auto applied = sub.durableHandler(tx, e); !applied) {
            return applied;
        }
        auto saved =
            execSql(tx.db(),
                    QStringLiteral("INSERT INTO event_checkpoints (subscriber, seq, updated_at) "
                                   "VALUES (?, ?, ?) ON CONFLICT (subscriber) DO UPDATE "
                                   "SET seq = excluded.seq, updated_at = excluded.updated_at"),
                    {sub.name, e.localSeq, QDateTime::currentMSecsSinceEpoch()});
        if (!saved) {
            return fail(saved.error());
        }
        return {};
    };
    Result<void> done;
    try {
        done = db.transact(apply); // an exception rolls back, like an error
    } catch (const std::exception &ex) {
        done = fail(
            Error::internal(QStringLiteral("handler threw: %1").arg(QString::fromUtf8(ex.what()))));
    } catch (...) {
        done = fail(Error::internal(QStringLiteral("handler threw")));
    }
    if (!done) {
        logger.warn("event subscriber failed; will retry from its checkpoint",
                    {{"subscriber", sub.name.toStdString()},
                     {"eventSeq", e.localSeq},
                     {"eventType", e.type.toStdString()},
                     {"error", done.error().message.toStdString()}});
        return false;
    }
    return true;
}

void EventBus::Shared::pump(const std::shared_ptr<Subscriber> &sub)
{
    sub->scheduled = false;
    if (sub->durable && !sub->loaded) {
        auto cp = queryValue(
            db.connection(),
            QStringLiteral("SELECT seq FROM event_checkpoints WHERE subscriber = ?"), {sub->name});
        if (!cp && cp.error().code != ErrorCode::NotFound) {
            schedule(sub, kRetryMs);
            return;
        }
        sub->cursor = cp ? cp->toLongLong() : 0;
        sub->loaded = true;
    }
    while (sub->active) {
        auto batch = log.readAfter(sub->cursor, kBatch);
        if (!batch) {
            logger.warn("event bus cannot read the log",
                        {{"error", batch.error().message.toStdString()}});
            schedule(sub, kRetryMs);
            return;
        }
        for (const Event &e : *batch) {
            if (!sub->active) {
                return;
            }
            std::optional<LogContextScope> scope;
            if (auto tc = TraceContext::parse(e.traceparent.toStdString())) {
                scope.emplace(
                    LogContext{tc->traceId, tc->child().spanId, e.actorId.toStdString(), {}});
            }
            if (sub->durable) {
                if (!deliverDurable(*sub, e)) {
                    schedule(sub, kRetryMs);
                    return;
                }
            } else {
                try {
                    sub->handler(e);
                } catch (const std::exception &ex) {
                    logger.error("event subscriber threw",
                                 {{"subscriber", sub->name.toStdString()}, {"error", ex.what()}});
                }
            }
            sub->cursor = e.localSeq;
        }
        if (batch->size() < static_cast<size_t>(kBatch)) {
            return;
        }
    }
}

EventBus::EventBus(Database &db, EventLog &log, Logger &logger, QObject *parent)
    : QObject(parent), m_shared(std::make_shared<Shared>(db, log, logger))
{
    std::weak_ptr<Shared> weak = m_shared;
    log.setCommittedListener([weak](qint64 seq) {
        if (auto s = weak.lock()) {
            s->notify(seq);
        }
    });
}

void EventBus::Shared::notify(qint64 seq)
{
    QMutexLocker lock(&mutex);
    auto subs = subscribers;
    lock.unlock();
    for (auto &sub : subs) {
        // Durable subscribers wait for start(), which replays them first.
        if ((!sub->durable || started) && sub->cursor < seq) {
            schedule(sub);
        }
    }
}

EventBus::~EventBus()
{
    m_shared->log.setCommittedListener({});
    QMutexLocker lock(&m_shared->mutex);
    for (auto &sub : m_shared->subscribers) {
        sub->active = false;
    }
}

int EventBus::subscribe(const QString &name, QObject *context, Handler handler)
{
    auto sub = std::make_shared<Subscriber>();
    sub->name = name;
    sub->context = context;
    sub->handler = std::move(handler);
    sub->cursor = m_shared->log.lastSeq().value_or(0);
    QMutexLocker lock(&m_shared->mutex);
    sub->id = m_shared->nextId++;
    m_shared->subscribers.push_back(sub);
    return sub->id;
}

int EventBus::subscribeDurable(const QString &name, QObject *context, DurableHandler handler)
{
    auto sub = std::make_shared<Subscriber>();
    sub->name = name;
    sub->durable = true;
    sub->context = context;
    sub->durableHandler = std::move(handler);
    {
        QMutexLocker lock(&m_shared->mutex);
        sub->id = m_shared->nextId++;
        m_shared->subscribers.push_back(sub);
    }
    if (m_shared->started) {
        m_shared->schedule(sub);
    }
    return sub->id;
}

void EventBus::unsubscribe(int id)
{
    QMutexLocker lock(&m_shared->mutex);
    auto &subs = m_shared->subscribers;
    for (auto it = subs.begin(); it != subs.end(); ++it) {
        if ((*it)->id == id) {
            (*it)->active = false;
            subs.erase(it);
            return;
        }
    }
}

void EventBus::start()
{
    m_shared->started = true;
    QMutexLocker lock(&m_shared->mutex);
    auto subs = m_shared->subscribers;
    lock.unlock();
    for (auto &sub : subs) {
        if (sub->durable) {
            m_shared->schedule(sub);
        }
    }
}

Result<qint64> EventBus::checkpoint(const QString &name) const
{
    auto cp = queryValue(m_shared->db.connection(),
                         QStringLiteral("SELECT seq FROM event_checkpoints WHERE subscriber = ?"),
                         {name});
    if (!cp) {
        return cp.error().code == ErrorCode::NotFound ? Result<qint64>(0) : fail(cp.error());
    }
    return cp->toLongLong();
}

} // namespace colophon
