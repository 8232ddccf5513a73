// SPDX-License-Identifier: MIT
// The console's sync with its server (docs/sync-protocol.md): pairing after
// a sign-in done in the browser, then SyncEngine::sync() on a worker thread
// of its own, never on the UI thread: after a local change (debounced), when
// the server's stream says something was committed (a second worker follows
// Remote::watch()), every minute, and when the stream reconnects. Failures
// are retried with exponential backoff and jitter behind a circuit breaker.
// It keeps, for the UI, the state (up to date, syncing N, offline since,
// error), the pending queue, refused changes and open conflicts.
//
// Invariants: one sync at a time (requests while one runs fold into one
// more); a paired console acts as the server account it syncs as (the server
// refuses events naming anyone else), and goes back to the local account
// when it disconnects; the worker is joined on destruction, the stream's
// worker is told to stop and left to end on its own (it touches only the
// Remote it shares and never the replica).
#pragma once

#include "backend/events/event.h"
#include "backend/resilience/circuitbreaker.h"
#include "backend/resilience/retry.h"
#include "services/content/contentservice.h"
#include "services/user/user.h"

#include <QDateTime>
#include <QObject>
#include <QStringList>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

QT_FORWARD_DECLARE_CLASS(QTimer)

namespace colophon {

class ReplicationRegistry;
class ServiceGateway;
class KeychainTokenStore;
namespace sync {
class Remote;
class SyncEngine;
class TokenStore;
struct SyncReport;
} // namespace sync

// When the controller syncs; tests shorten them.
struct SyncTimings
{
    int debounceMs = 300;   // after a local change
    int periodicMs = 60000; // at the latest
    RetryPolicy retry{0, std::chrono::milliseconds(500), std::chrono::milliseconds(500),
                      std::chrono::milliseconds(30000)};
    int streamRetryMaxMs = 30000; // the stream reconnects after 0.5 s doubling to this
    // Four failures in two minutes, half of the calls or more, open the
    // breaker: no sync is tried for this long.
    std::chrono::milliseconds breakerResetTimeout{20000};
};

// What the panel lists, read after each sync and local change.
struct SyncDetails
{
    struct Row
    {
        Event event;
        QString title; // the item's, when it still exists here
    };
    struct Conflict
    {
        ContentConflict conflict;
        QString title;
    };
    qint64 pendingCount = 0;
    std::vector<Row> pending; // own events not yet pushed, oldest first (at most 200)
    std::vector<Row> refused; // refused by the server, newest first (at most 50)
    std::vector<Conflict> conflicts;
};

class SyncController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SyncController)

public:
    enum class State { NotPaired, Connecting, UpToDate, Syncing, Waiting, Offline, Error };
    struct Account
    {
        QString userId;
        Role role = Role::Consumer;
    };

    // store: where the refresh token lives; by default the OS keychain,
    // falling back to the 0600 file.
    SyncController(ServiceGateway &gateway, const ReplicationRegistry &registry,
                   std::shared_ptr<sync::TokenStore> store = {}, QObject *parent = nullptr);
    ~SyncController() override;

    // Before start().
    void setTimings(const SyncTimings &timings);
    // Opens the pairing, if any, and starts syncing.
    void start();
    // Syncs now (a person asked), whatever the backoff.
    void syncNow();

    bool isPaired() const { return m_paired; }
    QString server() const { return m_server; }
    QString email() const { return m_email; }
    std::optional<Account> account() const { return m_account; }
    State state() const { return m_state; }
    // "up to date", "syncing 3", "offline since 10:42", "error: …"
    QString stateText() const;
    QDateTime offlineSince() const { return m_offlineSince; }
    QDateTime lastSynced() const { return m_lastSynced; }
    QString errorDetail() const { return m_detail; }
    // The latest failures, newest first: "10:42:07 <message>".
    QStringList lastErrors() const { return m_errors; }
    // What the latest syncs' refusals said, newest first ("<type> <id>: <message>").
    QStringList lastRefusals() const { return m_refusals; }
    qint64 pendingCount() const { return m_details.pendingCount; }
    const SyncDetails &details() const { return m_details; }
    // The keychain store's warning, when the token fell back to the file.
    QString tokenWarning() const;
    std::shared_ptr<sync::TokenStore> tokenStore() const { return m_store; }
    // The local account signed in here, while the console acts as the
    // server account (for signing out of the local session).
    std::optional<Actor> localActor() const;

    // Pairing, for ConnectDialog: keeps the sign-in, checks the server and
    // learns the account, then pairingChecked(n) with the changes made here
    // before pairing; finishPairing(true) pushes them as the account's,
    // finishPairing(false) forgets the pairing (nothing pushed).
    void beginPairing(const QString &server, const QString &email, const QString &accessToken,
                      const QString &refreshToken);
    void finishPairing(bool adoptLocalChanges);
    // The person gave up while pairing: whatever was kept is forgotten.
    void cancelPairing();
    // Signs out on the server and forgets it (Remote::forget).
    void disconnectFromServer();

    // Reads the pending queue, refusals and conflicts again.
    void refreshDetails();

signals:
    void stateChanged();
    void pairedChanged(bool paired);
    void detailsChanged();
    // A sync finished (refusals: those this sync got).
    void synced(const QStringList &refusals);
    void pairingChecked(int localChanges);
    void pairingFailed(const QString &message);
    void disconnected(const QString &problem);

private:
    struct Opened;
    struct Outcome;
    struct WatchState;

    void post(std::function<void()> job);
    void workerLoop();
    template <typename F> void deliver(F f);

    void openRemote();
    // Worker: syncs through remote from now on, with an engine over it.
    void useRemote(std::unique_ptr<sync::Remote> remote);
    void onOpened(const Opened &opened);
    void requestSync(bool force);
    void runSync();
    void onSynced(const Outcome &outcome);
    void scheduleRetry();
    void setState(State state, const QString &detail = {});
    void recordError(const QString &message);
    void actAsAccount();
    void restoreLocalAccount();
    void startWatching(std::shared_ptr<sync::Remote> remote);
    void stopWatching();
    void onStreamHead();
    void onStreamBroken(const QString &message);
    void onLocalEvent(const Event &event);
    static void watchLoop(std::shared_ptr<WatchState> state);

    ServiceGateway &m_gateway;
    const ReplicationRegistry &m_registry;
    std::shared_ptr<sync::TokenStore> m_store;
    KeychainTokenStore *m_keychain = nullptr; // m_store, when it is one
    QString m_dataDir;
    SyncTimings m_timings;

    // UI thread
    bool m_started = false;
    bool m_paired = false;
    bool m_open = false; // the worker holds a Remote and an engine
    enum class Pairing { None, Checking, Checked };
    Pairing m_pairing = Pairing::None;
    bool m_cancelPairing = false;
    bool m_syncing = false;
    bool m_again = false;
    int m_failures = 0;
    State m_state = State::NotPaired;
    QString m_detail;
    QString m_server;
    QString m_email;
    std::optional<Account> m_account;
    std::optional<std::pair<User, Actor>> m_localAccount; // who signed in here
    QDateTime m_offlineSince;
    QDateTime m_lastSynced;
    QStringList m_errors;
    QStringList m_refusals;
    SyncDetails m_details;
    bool m_detailsLoading = false;
    bool m_detailsAgain = false;
    QTimer *m_debounce;
    QTimer *m_periodic;
    QTimer *m_retry;
    std::mt19937_64 m_rng;
    std::shared_ptr<WatchState> m_watch;

    // Worker thread
    std::shared_ptr<sync::Remote> m_remote;
    std::unique_ptr<sync::SyncEngine> m_engine;
    std::unique_ptr<CircuitBreaker> m_breaker;

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void()>> m_queue;
    bool m_stopping = false;
    std::thread m_worker;
};

} // namespace colophon
