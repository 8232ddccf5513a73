// SPDX-License-Identifier: MIT
// The console's asynchronous facade over the in-process services (DESIGN
// §3a): service calls run on a small pool of worker threads, each with its
// own database connection, and their results come back to the UI thread, so
// no widget ever waits on the database. It also holds who is signed in (and
// follows an admin's changes to that account: a new role applies at once, a
// suspension signs out), and re-emits every committed event on the UI thread
// for views to refresh.
#pragma once

#include "backend/auth/permissions.h"
#include "backend/events/event.h"
#include "services/user/user.h"

#include <QObject>
#include <QPointer>
#include <QTimer>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace colophon {

class Database;
class EventBus;
class EventLog;
class UserService;
class ContentService;
class ActorNames;

// The parts of the replica the console uses; app/ fills it from ServiceHost.
struct ConsoleServices
{
    Database *database = nullptr;
    EventLog *eventLog = nullptr;
    EventBus *eventBus = nullptr;
    UserService *users = nullptr;
    ContentService *content = nullptr;
    QString dataDir;
};

class ServiceGateway final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServiceGateway)

public:
    explicit ServiceGateway(ConsoleServices services, int threads = 2, QObject *parent = nullptr);
    // Finishes the queued work, then stops the workers (closing their
    // connections); results not yet delivered are dropped.
    ~ServiceGateway() override;

    const ConsoleServices &services() const { return m_services; }
    UserService &users() { return *m_services.users; }
    ContentService &content() { return *m_services.content; }
    EventLog &eventLog() { return *m_services.eventLog; }

    // The signed-in person. Service calls act as actor().
    bool isSignedIn() const { return !m_actor.userId.isEmpty(); }
    const Actor &actor() const { return m_actor; }
    const User &user() const { return m_user; }
    void setSignedIn(const User &user, const Actor &actor);
    // Updates the shown profile (after the person edits it): accountChanged.
    void setUser(const User &user);
    void signOut();
    // Names of people for every view (shared cache).
    ActorNames &names() { return *m_names; }
    // Whether the signed-in role may attempt the action at all (RBAC table).
    bool may(Action action) const;

    // Runs work() (a service call) on a worker thread, then done(result) on
    // the UI thread, unless context was destroyed in between. Work runs in
    // the order it was queued only per worker: callers that need order chain
    // their calls in done.
    template <typename Work, typename Done> void run(QObject *context, Work work, Done done);

    // Fires due content schedules (publishAt/unpublishAt) now and every
    // intervalMs, on a worker, never two runs at once: the console's
    // scheduler (ServiceHost's runs on the calling thread, as the server's).
    void startScheduler(int intervalMs = 1000);

    // Work queued or running, or results not yet delivered.
    int pending() const { return m_pending; }
    // Processes events until nothing is pending (tests, shutdown); false on timeout.
    bool waitForIdle(int timeoutMs = 10000);

signals:
    void busyChanged(bool busy);
    // Every event committed to the replica (by this window, another window
    // or process on the same thread's bus, later sync), on the UI thread.
    void eventCommitted(const colophon::Event &event);
    // Someone else signed in, or out, or the role changed: views start over.
    void signedInChanged();
    // The signed-in person's profile changed (names, preferences, MFA).
    void accountChanged();

private:
    void post(std::function<void()> job);
    void runDueSchedules();
    // The signed-in account changed (role, status, names): follow it.
    void followOwnAccount();
    void started();
    void finished();
    void workerLoop();

    ConsoleServices m_services;
    Actor m_actor;
    User m_user;
    int m_pending = 0;
    int m_subscription = -1;
    QTimer *m_scheduler = nullptr;
    bool m_scheduleRunning = false;
    ActorNames *m_names;

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void()>> m_queue;
    bool m_stopping = false;
    std::vector<std::thread> m_workers;
};

template <typename Work, typename Done>
void ServiceGateway::run(QObject *context, Work work, Done done)
{
    using R = std::invoke_result_t<Work &>;
    started();
    QPointer<QObject> guard(context);
    post([this, guard, work = std::move(work), done = std::move(done)]() mutable {
        auto result = std::make_shared<R>(work());
        QMetaObject::invokeMethod(
            this,
            [this, guard, done, result]() mutable {
                if (guard) {
                    done(std::move(*result));
                }
                finished();
            },
            Qt::QueuedConnection);
    });
}

} // namespace colophon
