// SPDX-License-Identifier: MIT
#include "ui/core/servicegateway.h"

#include "backend/db/database.h"
#include "backend/events/eventbus.h"
#include "services/content/contentservice.h"
#include "services/user/userservice.h"
#include "ui/core/actornames.h"

#include <QCoreApplication>
#include <QDeadlineTimer>

namespace colophon {

ServiceGateway::ServiceGateway(ConsoleServices services, int threads, QObject *parent)
    : QObject(parent), m_services(std::move(services)), m_names(new ActorNames(*this, this))
{
    for (int i = 0; i < std::max(1, threads); ++i) {
        m_workers.emplace_back([this] { workerLoop(); });
    }
    if (m_services.eventBus) {
        m_subscription = m_services.eventBus->subscribe(
            QStringLiteral("console"), this, [this](const Event &event) {
                if (event.stream.startsWith(QLatin1String("user/"))) {
                    // A renamed (or deleted) account shows its new name.
                    m_names->forget(event.stream.mid(5));
                    if (isSignedIn() && event.stream.mid(5) == m_actor.userId) {
                        followOwnAccount();
                    }
                }
                emit eventCommitted(event);
            });
    }
}

ServiceGateway::~ServiceGateway()
{
    if (m_services.eventBus && m_subscription >= 0) {
        m_services.eventBus->unsubscribe(m_subscription);
    }
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    for (auto &worker : m_workers) {
        worker.join();
    }
}

void ServiceGateway::setSignedIn(const User &user, const Actor &actor)
{
    m_user = user;
    m_actor = actor;
    m_names->clear();
    emit signedInChanged();
}

void ServiceGateway::setUser(const User &user)
{
    m_user = user;
    emit accountChanged();
}

void ServiceGateway::signOut()
{
    m_user = User{};
    m_actor = Actor{};
    m_actor.userId.clear();
    m_names->clear();
    emit signedInChanged();
}

bool ServiceGateway::may(Action action) const
{
    return isSignedIn() && authorize(m_actor.role, action).has_value();
}

void ServiceGateway::followOwnAccount()
{
    const Actor actor = m_actor;
    run(
        this, [&users = *m_services.users, actor] { return users.me(actor); },
        [this, actor](Result<User> user) {
            if (!user || actor.userId != m_actor.userId) {
                return; // signed out, or someone else signed in meanwhile
            }
            if (user->status != QLatin1String("active") || user->deletedAtMs > 0) {
                signOut(); // suspended, deactivated or deleted: no more calls as them
                return;
            }
            if (user->role != m_actor.role) {
                // An admin changed it: may() and every view follow at once.
                m_actor.role = user->role;
                m_user = *user;
                emit signedInChanged();
                return;
            }
            setUser(*user);
        });
}

void ServiceGateway::startScheduler(int intervalMs)
{
    if (!m_scheduler) {
        m_scheduler = new QTimer(this);
        connect(m_scheduler, &QTimer::timeout, this, &ServiceGateway::runDueSchedules);
    }
    m_scheduler->start(intervalMs);
    QTimer::singleShot(0, this, &ServiceGateway::runDueSchedules);
}

void ServiceGateway::runDueSchedules()
{
    if (m_scheduleRunning || !m_services.content) {
        return;
    }
    m_scheduleRunning = true;
    run(
        this, [&content = *m_services.content] { return content.runSchedules(); },
        [this](Result<int>) { m_scheduleRunning = false; });
}

bool ServiceGateway::waitForIdle(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (m_pending > 0) {
        if (deadline.hasExpired()) {
            return false;
        }
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    }
    return true;
}

void ServiceGateway::post(std::function<void()> job)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(std::move(job));
    }
    m_wake.notify_one();
}

void ServiceGateway::started()
{
    if (m_pending++ == 0) {
        emit busyChanged(true);
    }
}

void ServiceGateway::finished()
{
    if (--m_pending == 0) {
        emit busyChanged(false);
    }
}

void ServiceGateway::workerLoop()
{
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty()) {
                break; // stopping, and everything queued has run
            }
            job = std::move(m_queue.front());
            m_queue.pop_front();
        }
        job();
    }
    if (m_services.database) {
        m_services.database->closeThreadConnection();
    }
}

} // namespace colophon
