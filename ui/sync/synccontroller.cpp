// SPDX-License-Identifier: MIT
#include "ui/sync/synccontroller.h"

#include "backend/db/database.h"
#include "backend/events/eventlog.h"
#include "backend/events/replication.h"
#include "sync/remote.h"
#include "sync/syncengine.h"
#include "ui/core/servicegateway.h"
#include "ui/sync/keychaintokenstore.h"

#include <QLocale>
#include <QTimer>
#include <QUrl>
#include <atomic>
#include <map>

namespace colophon {

using namespace std::chrono_literals;

namespace {

constexpr int kKeptErrors = 20;

std::optional<SyncController::Account> accountOf(const nlohmann::json &j)
{
    if (!j.is_object() || !j.contains("userId") || !j["userId"].is_string()) {
        return std::nullopt;
    }
    SyncController::Account account;
    account.userId = QString::fromStdString(j["userId"].get<std::string>());
    if (account.userId.isEmpty()) {
        return std::nullopt;
    }
    account.role =
        parseRole(QString::fromStdString(j.value("role", std::string()))).value_or(Role::Consumer);
    return account;
}

QString contentIdOf(const QString &stream)
{
    return stream.startsWith(QLatin1String("content/")) ? stream.mid(8) : QString();
}

} // namespace

struct SyncController::Opened
{
    std::optional<Error> error;
    std::shared_ptr<sync::Remote> remote;
    QString server;
    QString email;
    std::optional<Account> account;
    int localChanges = 0;
};

struct SyncController::Outcome
{
    bool paused = false; // the circuit breaker is open: nothing was tried
    std::optional<Result<sync::SyncReport>> report;
    std::optional<Account> account;
};

// Shared by the controller and the stream's worker, which may outlive it.
struct SyncController::WatchState
{
    std::mutex mutex;
    SyncController *owner = nullptr; // null once the controller stopped watching
    std::atomic<bool> stop{false};
    std::atomic<qint64> cursor{0};
    std::shared_ptr<sync::Remote> remote;
    QString replicaId;
    int retryMaxMs = 30000;

    // Runs f(owner) on the owner's thread, if there is still an owner.
    template <typename F> void notify(F f)
    {
        std::lock_guard lock(mutex);
        if (owner) {
            SyncController *target = owner;
            QMetaObject::invokeMethod(
                target, [target, f] { f(target); }, Qt::QueuedConnection);
        }
    }
};

SyncController::SyncController(ServiceGateway &gateway, const ReplicationRegistry &registry,
                               std::shared_ptr<sync::TokenStore> store, QObject *parent)
    : QObject(parent), m_gateway(gateway), m_registry(registry), m_store(std::move(store)),
      m_dataDir(gateway.services().dataDir), m_debounce(new QTimer(this)),
      m_periodic(new QTimer(this)), m_retry(new QTimer(this)), m_rng(std::random_device{}())
{
    if (!m_store) {
        auto *keychain = new KeychainTokenStore(m_dataDir);
        // Deleted on its own thread, whichever thread lets go of it last.
        m_store = std::shared_ptr<sync::TokenStore>(
            keychain, [keychain](sync::TokenStore *) { keychain->deleteLater(); });
        m_keychain = keychain;
    } else {
        m_keychain = dynamic_cast<KeychainTokenStore *>(m_store.get());
    }
    if (m_keychain) {
        connect(m_keychain, &KeychainTokenStore::fellBackToFile, this,
                [this] { emit stateChanged(); });
    }
    m_paired = sync::Remote::isPaired(m_dataDir);
    m_state = m_paired ? State::Connecting : State::NotPaired;

    m_debounce->setSingleShot(true);
    m_retry->setSingleShot(true);
    setTimings(m_timings);
    connect(m_debounce, &QTimer::timeout, this, [this] { requestSync(false); });
    connect(m_periodic, &QTimer::timeout, this, [this] { requestSync(false); });
    connect(m_retry, &QTimer::timeout, this, [this] { requestSync(true); });
    connect(&gateway, &ServiceGateway::eventCommitted, this, &SyncController::onLocalEvent);
    connect(&gateway, &ServiceGateway::signedInChanged, this, [this] {
        actAsAccount();
        refreshDetails();
    });
    m_worker = std::thread([this] { workerLoop(); });
}

SyncController::~SyncController()
{
    // Going back to the local account must not switch it again.
    disconnect(&m_gateway, nullptr, this, nullptr);
    stopWatching();
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_worker.join();
    restoreLocalAccount();
}

void SyncController::setTimings(const SyncTimings &timings)
{
    m_timings = timings;
    m_debounce->setInterval(timings.debounceMs);
    m_periodic->setInterval(timings.periodicMs);
    // A call slower than two minutes is a failure too.
    m_breaker = std::make_unique<CircuitBreaker>(
        CircuitBreakerSettings{"sync", 50, 4, 120s, 120s, timings.breakerResetTimeout});
}

// --- the worker ----------------------------------------------------------------------------

void SyncController::post(std::function<void()> job)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(std::move(job));
    }
    m_wake.notify_one();
}

template <typename F> void SyncController::deliver(F f)
{
    QMetaObject::invokeMethod(this, std::move(f), Qt::QueuedConnection);
}

void SyncController::workerLoop()
{
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_stopping) {
                break; // what is queued is dropped: its results would go nowhere
            }
            job = std::move(m_queue.front());
            m_queue.pop_front();
        }
        job();
    }
    m_engine.reset();
    m_remote.reset();
    if (m_gateway.services().database) {
        m_gateway.services().database->closeThreadConnection();
    }
}

// --- opening, syncing ----------------------------------------------------------------------

void SyncController::start()
{
    if (m_started) {
        return;
    }
    m_started = true;
    if (m_paired) {
        openRemote();
    }
}

void SyncController::useRemote(std::unique_ptr<sync::Remote> remote)
{
    m_remote = std::shared_ptr<sync::Remote>(std::move(remote));
    const ConsoleServices &s = m_gateway.services();
    m_engine = std::make_unique<sync::SyncEngine>(*s.database, *s.eventLog, m_registry, *m_remote);
}

void SyncController::openRemote()
{
    setState(State::Connecting);
    post([this] {
        Opened opened;
        auto remote = sync::Remote::load(m_dataDir, m_store);
        if (!remote) {
            opened.error = remote.error();
            // Still the account's replica: changes made here are its own.
            if (auto account = sync::SyncEngine::storedAccount(*m_gateway.services().database)) {
                opened.account = accountOf(*account);
            }
        } else {
            useRemote(std::move(*remote));
            opened.remote = m_remote;
            opened.server = m_remote->server();
            opened.email = m_remote->email();
            if (auto account = m_engine->account()) {
                opened.account = accountOf(*account);
            }
        }
        deliver([this, opened] { onOpened(opened); });
    });
}

void SyncController::onOpened(const Opened &opened)
{
    if (opened.error) {
        m_account = opened.account;
        actAsAccount();
        recordError(opened.error->message);
        setState(State::Error, opened.error->message);
        return;
    }
    m_open = true;
    m_server = opened.server;
    m_email = opened.email;
    m_account = opened.account;
    actAsAccount();
    startWatching(opened.remote);
    m_periodic->start();
    requestSync(true);
}

void SyncController::syncNow()
{
    requestSync(true);
}

void SyncController::requestSync(bool force)
{
    if (!m_open) {
        return;
    }
    if (!force && m_retry->isActive()) {
        return; // backing off: the retry comes soon enough
    }
    if (m_syncing) {
        m_again = true;
        return;
    }
    m_retry->stop();
    runSync();
}

void SyncController::runSync()
{
    m_syncing = true;
    m_again = false;
    setState(State::Syncing, m_detail);
    post([this] {
        Outcome outcome;
        if (!m_engine) {
            outcome.report = fail(Error::notFound(tr("not connected to a server")));
        } else if (m_breaker->state() == CircuitBreaker::State::Open) {
            outcome.paused = true;
        } else {
            outcome.report = m_breaker->execute([this] { return m_engine->sync(); });
            if (auto account = m_engine->account()) {
                outcome.account = accountOf(*account);
            }
        }
        deliver([this, outcome] { onSynced(outcome); });
    });
}

void SyncController::onSynced(const Outcome &outcome)
{
    m_syncing = false;
    if (!m_open) {
        return; // disconnected meanwhile
    }
    if (outcome.paused) {
        setState(State::Offline, m_detail);
        scheduleRetry();
        return;
    }
    const Result<sync::SyncReport> &report = *outcome.report;
    if (report) {
        m_failures = 0;
        m_offlineSince = {};
        m_lastSynced = QDateTime::currentDateTime();
        for (const QString &refusal : report->refusals) {
            m_refusals.prepend(refusal);
        }
        while (m_refusals.size() > kKeptErrors) {
            m_refusals.removeLast();
        }
        if (outcome.account && (!m_account || m_account->userId != outcome.account->userId ||
                                m_account->role != outcome.account->role)) {
            m_account = outcome.account;
            actAsAccount(); // a new role applies at once
        }
        if (m_watch) {
            m_watch->cursor = report->cursor;
        }
        m_details.pendingCount = report->pending;
        setState(report->pending > 0 ? State::Waiting : State::UpToDate);
        if (report->pending > 0 && report->deferred > 0) {
            ++m_failures; // the server defers (a gap, a clock ahead): again, later
            scheduleRetry();
        }
        emit synced(report->refusals);
        refreshDetails();
    } else {
        const Error &e = report.error();
        ++m_failures;
        recordError(e.message);
        if (e.code == ErrorCode::Unavailable) {
            if (!m_offlineSince.isValid()) {
                m_offlineSince = QDateTime::currentDateTime();
            }
            setState(State::Offline, e.message);
            scheduleRetry();
        } else if (e.code == ErrorCode::Unauthenticated) {
            // Retrying cannot help: the person must sign in again.
            stopWatching();
            setState(State::Error,
                     tr("the server no longer accepts this console's sign-in: disconnect and "
                        "connect again"));
            return;
        } else {
            setState(State::Error, e.message);
            scheduleRetry();
        }
    }
    if (m_again) {
        m_again = false;
        requestSync(false);
    }
}

void SyncController::scheduleRetry()
{
    const auto delay = m_timings.retry.delayBefore(std::max(1, m_failures), m_rng);
    m_retry->start(static_cast<int>(std::min<qint64>(delay.count(), 24 * 3600 * 1000)));
}

void SyncController::setState(State state, const QString &detail)
{
    m_state = state;
    m_detail = detail;
    emit stateChanged();
}

void SyncController::recordError(const QString &message)
{
    m_errors.prepend(QLocale().toString(QTime::currentTime(), QStringLiteral("HH:mm:ss")) +
                     QLatin1Char(' ') + message);
    while (m_errors.size() > kKeptErrors) {
        m_errors.removeLast();
    }
}

QString SyncController::stateText() const
{
    switch (m_state) {
    case State::NotPaired:
        return tr("not connected to a server");
    case State::Connecting:
        return tr("connecting to %1").arg(m_server.isEmpty() ? tr("the server") : m_server);
    case State::UpToDate:
        return tr("up to date");
    case State::Syncing:
        return m_details.pendingCount > 0 ? tr("syncing %1").arg(m_details.pendingCount)
                                          : tr("syncing");
    case State::Waiting:
        return tr("%n change(s) waiting to be sent", nullptr, int(m_details.pendingCount));
    case State::Offline: {
        const QDateTime since = m_offlineSince.isValid() ? m_offlineSince : m_lastSynced;
        if (!since.isValid()) {
            return tr("offline");
        }
        const QString time = since.date() == QDate::currentDate()
                                 ? QLocale().toString(since.time(), QLocale::ShortFormat)
                                 : QLocale().toString(since, QLocale::ShortFormat);
        return tr("offline since %1").arg(time);
    }
    case State::Error:
        return tr("error: %1").arg(m_detail);
    }
    return {};
}

QString SyncController::tokenWarning() const
{
    return m_keychain ? m_keychain->warning() : QString();
}

// --- what the panel lists ------------------------------------------------------------------

void SyncController::onLocalEvent(const Event &event)
{
    if (!m_paired || event.replicaId != m_gateway.eventLog().replicaId() ||
        !m_registry.replicates(event.type)) {
        return;
    }
    m_debounce->start();
    refreshDetails();
}

void SyncController::refreshDetails()
{
    if (m_detailsLoading) {
        m_detailsAgain = true;
        return;
    }
    m_detailsLoading = true;
    const Actor actor = m_gateway.actor();
    const bool signedIn = m_gateway.isSignedIn();
    m_gateway.run(
        this,
        [&log = m_gateway.eventLog(), &content = m_gateway.content(), &registry = m_registry, actor,
         signedIn] {
            SyncDetails d;
            std::map<QString, QString> titles;
            auto titleOf = [&](const QString &id) {
                if (id.isEmpty() || !signedIn) {
                    return QString();
                }
                auto found = titles.find(id);
                if (found == titles.end()) {
                    auto item = content.get(actor, id);
                    found = titles.emplace(id, item ? item->title : QString()).first;
                }
                return found->second;
            };
            if (auto pending = log.pending(1000)) {
                for (Event &e : *pending) {
                    if (!registry.replicates(e.type)) {
                        continue; // local-only: never pushed
                    }
                    ++d.pendingCount;
                    if (d.pending.size() < 200) {
                        const QString title = titleOf(contentIdOf(e.stream));
                        d.pending.push_back({std::move(e), title});
                    }
                }
            }
            if (auto refused = log.rejected(50)) {
                for (Event &e : *refused) {
                    const QString title = titleOf(contentIdOf(e.stream));
                    d.refused.push_back({std::move(e), title});
                }
            }
            if (signedIn) {
                // Not a null QString: ContentService::conflicts binds it to
                // "? = ''", which a null string (SQL NULL) never matches.
                if (auto conflicts = content.conflicts(actor)) {
                    for (ContentConflict &c : *conflicts) {
                        const QString title = titleOf(c.contentId);
                        d.conflicts.push_back({std::move(c), title});
                    }
                }
            }
            return d;
        },
        [this](SyncDetails d) {
            m_detailsLoading = false;
            m_details = std::move(d);
            emit detailsChanged();
            emit stateChanged(); // "syncing N" counts them
            if (m_detailsAgain) {
                m_detailsAgain = false;
                refreshDetails();
            }
        });
}

// --- who the console acts as ---------------------------------------------------------------

void SyncController::actAsAccount()
{
    if (!m_gateway.isSignedIn()) {
        m_localAccount.reset();
        return;
    }
    if (!m_paired || !m_account) {
        return;
    }
    const Actor now = m_gateway.actor();
    if (now.userId == m_account->userId && now.role == m_account->role) {
        return;
    }
    if (now.userId != m_account->userId) {
        m_localAccount = std::make_pair(m_gateway.user(), now);
    }
    User shown;
    shown.id = m_account->userId;
    shown.email = m_email;
    shown.role = m_account->role;
    if (m_localAccount) {
        shown.preferences = m_localAccount->first.preferences;
    }
    m_gateway.setSignedIn(shown, Actor{m_account->userId, m_account->role, now.sessionId});
}

void SyncController::restoreLocalAccount()
{
    if (!m_localAccount) {
        return;
    }
    const auto local = *m_localAccount;
    m_localAccount.reset();
    if (m_gateway.isSignedIn() && m_account && m_gateway.actor().userId == m_account->userId) {
        m_gateway.setSignedIn(local.first, local.second);
    }
}

std::optional<Actor> SyncController::localActor() const
{
    if (m_localAccount) {
        return m_localAccount->second;
    }
    return std::nullopt;
}

// --- the stream ----------------------------------------------------------------------------

void SyncController::startWatching(std::shared_ptr<sync::Remote> remote)
{
    stopWatching();
    if (!remote) {
        return;
    }
    auto state = std::make_shared<WatchState>();
    state->owner = this;
    state->remote = std::move(remote);
    state->replicaId = m_gateway.eventLog().replicaId();
    state->retryMaxMs = m_timings.streamRetryMaxMs;
    m_watch = state;
    std::thread([state] { watchLoop(state); }).detach();
}

void SyncController::stopWatching()
{
    if (!m_watch) {
        return;
    }
    {
        std::lock_guard lock(m_watch->mutex);
        m_watch->owner = nullptr;
    }
    m_watch->stop = true;
    m_watch.reset();
}

void SyncController::watchLoop(std::shared_ptr<WatchState> state)
{
    std::mt19937_64 rng(std::random_device{}());
    int failures = 0;
    while (!state->stop) {
        bool first = true;
        auto watched = state->remote->watch(
            state->replicaId,
            [&](qint64 head) {
                if (state->stop) {
                    return false;
                }
                // The first head after (re)connecting: the server is there,
                // sync whatever it says; later ones only when they are new.
                if (first || head > state->cursor) {
                    state->notify([](SyncController *c) { c->onStreamHead(); });
                }
                first = false;
                failures = 0;
                return true;
            },
            [&] { return state->stop.load(); });
        if (state->stop) {
            break;
        }
        const QString message = watched ? tr("the server's stream ended") : watched.error().message;
        state->notify([message](SyncController *c) { c->onStreamBroken(message); });
        if (!watched && watched.error().code == ErrorCode::Unauthenticated) {
            break; // the sync says so too; reconnecting cannot help
        }
        ++failures;
        const int backoff = std::min(state->retryMaxMs, 500 << std::min(failures - 1, 6));
        const int wait =
            backoff + std::uniform_int_distribution<int>(0, std::max(1, backoff / 2))(rng);
        for (int waited = 0; waited < wait && !state->stop; waited += 50) {
            std::this_thread::sleep_for(50ms);
        }
    }
}

void SyncController::onStreamHead()
{
    requestSync(true);
}

void SyncController::onStreamBroken(const QString &message)
{
    Q_UNUSED(message)
    if (m_failures == 0 && !m_syncing) {
        requestSync(false); // find out at once whether the server is gone
    }
}

// --- pairing -------------------------------------------------------------------------------

void SyncController::beginPairing(const QString &server, const QString &email,
                                  const QString &accessToken, const QString &refreshToken)
{
    stopWatching();
    m_open = false;
    m_retry->stop();
    m_periodic->stop();
    setState(State::Connecting);
    m_pairing = Pairing::Checking;
    m_cancelPairing = false;
    post([this, server, email, accessToken, refreshToken] {
        Opened checked;
        auto remote = sync::Remote::pairWithTokens(m_dataDir, server, email, accessToken,
                                                   refreshToken, m_store);
        Result<int> local = 0;
        if (remote) {
            useRemote(std::move(*remote));
            // Learn the account first: changes made here before pairing are
            // pushed as that account only when the person says so.
            auto pulled = m_engine->hello().and_then([this](auto &&) { return m_engine->pull(); });
            local = pulled ? m_engine->foreignPending() : Result<int>(fail(pulled.error()));
        }
        if (!remote) {
            checked.error = remote.error();
        } else if (!local) {
            (void)sync::Remote::forget(m_dataDir, m_store);
            m_engine.reset();
            m_remote.reset();
            checked.error = local.error();
        } else {
            checked.remote = m_remote;
            checked.server = m_remote->server();
            checked.email = m_remote->email();
            checked.localChanges = *local;
            if (auto account = m_engine->account()) {
                checked.account = accountOf(*account);
            }
        }
        deliver([this, checked] {
            m_pairing = Pairing::Checked;
            if (m_cancelPairing) {
                m_cancelPairing = false;
                if (!checked.error) {
                    finishPairing(false);
                    return;
                }
            }
            if (checked.error) {
                m_pairing = Pairing::None;
                m_paired = false;
                setState(State::NotPaired);
                emit pairingFailed(checked.error->message);
                return;
            }
            m_server = checked.server;
            m_email = checked.email;
            m_account = checked.account;
            emit pairingChecked(checked.localChanges);
        });
    });
}

void SyncController::cancelPairing()
{
    if (m_pairing == Pairing::Checking) {
        m_cancelPairing = true; // declined when the check comes back
    } else if (m_pairing == Pairing::Checked) {
        finishPairing(false);
    }
}

void SyncController::finishPairing(bool adoptLocalChanges)
{
    m_pairing = Pairing::None;
    const QString userId = m_account ? m_account->userId : QString();
    post([this, adoptLocalChanges, userId] {
        std::optional<Error> problem;
        std::shared_ptr<sync::Remote> remote = m_remote;
        if (!m_engine) {
            problem = Error::notFound(tr("the pairing was not kept"));
        } else if (adoptLocalChanges && !userId.isEmpty()) {
            if (auto adopted = m_engine->adoptPending(userId); !adopted) {
                problem = adopted.error();
            }
        }
        if (!adoptLocalChanges || problem) {
            (void)sync::Remote::forget(m_dataDir, m_store);
            m_engine.reset();
            m_remote.reset();
        }
        deliver([this, adoptLocalChanges, problem, remote] {
            if (!adoptLocalChanges || problem) {
                m_paired = false;
                m_account.reset();
                m_server.clear();
                m_email.clear();
                setState(State::NotPaired);
                emit pairingFailed(problem ? problem->message
                                           : tr("Not connected: the changes made here stay on "
                                                "this computer only."));
                return;
            }
            m_paired = true;
            m_open = true;
            m_errors.clear();
            m_refusals.clear();
            emit pairedChanged(true);
            actAsAccount();
            startWatching(remote);
            m_periodic->start();
            requestSync(true);
        });
    });
}

void SyncController::disconnectFromServer()
{
    stopWatching();
    m_open = false;
    m_retry->stop();
    m_periodic->stop();
    m_debounce->stop();
    post([this] {
        auto forgotten = sync::Remote::forget(m_dataDir, m_store);
        m_engine.reset();
        m_remote.reset();
        const QString problem = forgotten ? QString() : forgotten.error().message;
        deliver([this, problem] {
            m_paired = sync::Remote::isPaired(m_dataDir);
            restoreLocalAccount();
            m_account.reset();
            m_server.clear();
            m_email.clear();
            m_failures = 0;
            m_offlineSince = {};
            m_errors.clear();
            m_refusals.clear();
            setState(m_paired ? State::Error : State::NotPaired, problem);
            emit pairedChanged(m_paired);
            emit disconnected(problem);
            refreshDetails();
        });
    });
}

} // namespace colophon
