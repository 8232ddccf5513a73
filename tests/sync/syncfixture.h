// SPDX-License-Identifier: MIT
// The fixture of the sync tests: a server and replicas in one process, each
// a real migrated SQLite file with its own event log, content service and
// wall clock, and a network between them that can drop, duplicate and hold
// back requests and answers (seeded, so a failing run repeats exactly).
#pragma once

#include "backend/db/database.h"
#include "backend/db/migrations.h"
#include "backend/db/sqlquery.h"
#include "backend/events/eventlog.h"
#include "services/content/contentservice.h"
#include "sync/syncengine.h"
#include "sync/syncserver.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QUuid>
#include <deque>
#include <functional>
#include <memory>
#include <random>

namespace syncfixture {

using namespace colophon;

inline QString describe(const Error &e)
{
    return QStringLiteral("%1: %2 [%3]").arg(errorCodeName(e.code), e.message, e.field);
}

template <typename T> inline QString why(const Result<T> &r)
{
    return r ? QString() : describe(r.error());
}

// A wall clock that can be skewed and stepped back, as real ones are.
struct NodeClock
{
    const qint64 *worldMs = nullptr;
    qint64 offsetMs = 0;
    qint64 nowMs() const { return *worldMs + offsetMs; }
};

// One database with the services that replicate: the server or a replica.
struct Node
{
    QString path;
    NodeClock clock;
    std::unique_ptr<Database> db;
    std::unique_ptr<EventLog> log;
    std::unique_ptr<ContentService> content;
    ReplicationRegistry registry;

    static std::unique_ptr<Node> open(const QString &path, const qint64 *worldMs,
                                      qint64 offsetMs = 0)
    {
        auto n = std::make_unique<Node>();
        n->path = path;
        n->clock = {worldMs, offsetMs};
        auto db = Database::openSqlite(path);
        if (!db) {
            qWarning("open: %s", qPrintable(describe(db.error())));
            return nullptr;
        }
        n->db = std::move(*db);
        MigrationRegistry migrations;
        EventLog::registerMigrations(migrations);
        ContentService::registerMigrations(migrations);
        sync::SyncServer::registerMigrations(migrations);
        if (auto migrated = migrate(*n->db, migrations); !migrated) {
            qWarning("migrate: %s", qPrintable(describe(migrated.error())));
            return nullptr;
        }
        Node *self = n.get();
        auto log = EventLog::open(*n->db, [self] { return self->clock.nowMs(); });
        if (!log) {
            qWarning("log: %s", qPrintable(describe(log.error())));
            return nullptr;
        }
        n->log = std::move(*log);
        n->content = std::make_unique<ContentService>(*n->db, *n->log,
                                                      [self] { return self->clock.nowMs(); });
        n->registry.add(&n->content->replication());
        return n;
    }

    // Every row the projections hold, as sorted text: equal for equal state.
    QStringList projection() const
    {
        QStringList rows;
        for (const char *table :
             {"content_items", "content_tags", "content_item_categories", "content_versions",
              "content_categories", "content_relations", "content_conflicts"}) {
            auto q = execSql(db->connection(),
                             QStringLiteral("SELECT * FROM %1").arg(QLatin1String(table)));
            if (!q) {
                rows << QStringLiteral("error: ") + describe(q.error());
                continue;
            }
            while (q->next()) {
                QStringList values;
                for (int i = 0; i < q->record().count(); ++i) {
                    values << q->value(i).toString();
                }
                rows << QLatin1String(table) + u'|' + values.join(u'|');
            }
        }
        rows.sort();
        return rows;
    }

    QString checksum() const
    {
        return QString::fromLatin1(
            QCryptographicHash::hash(projection().join(u'\n').toUtf8(), QCryptographicHash::Sha256)
                .toHex()
                .left(16));
    }

    // Ids of the live items.
    QStringList items() const
    {
        QStringList ids;
        auto q = execSql(db->connection(), QStringLiteral("SELECT id FROM content_items WHERE "
                                                          "created = 1 AND deleted_hlc IS NULL "
                                                          "ORDER BY id"));
        while (q && q->next()) {
            ids << q->value(0).toString();
        }
        return ids;
    }
};

// What the network does to each request; all zero is a perfect network.
struct Faults
{
    double dropRequest = 0; // lost on the way: the server never sees it
    double dropAnswer = 0;  // the server acted, the answer is lost
    double duplicate = 0;   // delivered twice
    double holdBack = 0;    // a copy is delivered again later (reordering)
};

// The server's side of the wire, in process: the principal of each replica
// is what the server authenticated, whatever its events claim.
class Network
{
public:
    Network(sync::SyncServer &server, std::mt19937 &random) : m_server(server), m_random(random) {}
    Faults faults;
    // What the network did, for tests that prove the faults happened.
    struct
    {
        int droppedRequests = 0;
        int droppedAnswers = 0;
        int duplicated = 0;
        int heldBack = 0;
    } counts;

    Result<nlohmann::json> hello(const nlohmann::json &request) { return m_server.hello(request); }

    Result<nlohmann::json> push(const Principal &who, const nlohmann::json &request)
    {
        return deliver([&] { return m_server.push(who, request); },
                       [this, who, request] { (void)m_server.push(who, request); });
    }

    Result<nlohmann::json> pull(const Principal &who, const sync::PullRequest &request)
    {
        return deliver([&] { return m_server.pull(who, request); },
                       [this, who, request] { (void)m_server.pull(who, request); });
    }

    // Snapshots go straight through: their faults are the tests' own.
    Result<nlohmann::json> snapshotOffer(const Principal &who, const QString &replicaId)
    {
        return m_server.snapshotOffer(who, replicaId);
    }
    Result<QByteArray> snapshotPart(const Principal &who, const QString &name, qint64 offset)
    {
        auto part = m_server.snapshotPart(who, name, offset);
        if (!part) {
            return fail(part.error());
        }
        return part->data;
    }

    // Delivers one request held back earlier, if any: an old push arriving late.
    void releaseOne()
    {
        if (!m_held.empty()) {
            std::uniform_int_distribution<size_t> pick(0, m_held.size() - 1);
            const size_t i = pick(m_random);
            auto late = std::move(m_held[i]);
            m_held.erase(m_held.begin() + static_cast<std::ptrdiff_t>(i));
            late();
        }
    }
    void releaseAll()
    {
        while (!m_held.empty()) {
            releaseOne();
        }
    }

private:
    bool chance(double p) { return p > 0 && std::uniform_real_distribution<>(0, 1)(m_random) < p; }

    template <typename Call, typename Again>
    Result<nlohmann::json> deliver(Call &&call, Again &&again)
    {
        if (chance(faults.dropRequest)) {
            ++counts.droppedRequests;
            return fail(Error{ErrorCode::Unavailable, QStringLiteral("request lost"), {}});
        }
        if (chance(faults.holdBack)) {
            ++counts.heldBack;
            m_held.push_back(std::forward<Again>(again));
        }
        auto answer = call();
        if (chance(faults.duplicate)) {
            ++counts.duplicated;
            answer = call();
        }
        if (chance(faults.dropAnswer)) {
            ++counts.droppedAnswers;
            return fail(Error{ErrorCode::Unavailable, QStringLiteral("answer lost"), {}});
        }
        return answer;
    }

    sync::SyncServer &m_server;
    std::mt19937 &m_random;
    std::deque<std::function<void()>> m_held;
};

// One replica's end of the wire, as its signed-in account.
class Link final : public sync::SyncTransport
{
public:
    Link(Network &network, Principal principal) : m_network(network), m_principal(principal) {}
    Result<nlohmann::json> hello(const nlohmann::json &request) override
    {
        return m_network.hello(request);
    }
    Result<nlohmann::json> push(const nlohmann::json &request) override
    {
        return m_network.push(m_principal, request);
    }
    Result<nlohmann::json> pull(const sync::PullRequest &request) override
    {
        return m_network.pull(m_principal, request);
    }
    // Snapshots are off unless a test turns them on; onPart may change or
    // fail what the server sent (a cut, a damaged byte).
    bool snapshots = false;
    std::function<Result<QByteArray>(Result<QByteArray>, qint64 offset)> onPart;
    int offers = 0;
    int parts = 0;
    Result<nlohmann::json> snapshotOffer(const QString &replicaId) override
    {
        if (!snapshots) {
            return sync::SyncTransport::snapshotOffer(replicaId);
        }
        ++offers;
        return m_network.snapshotOffer(m_principal, replicaId);
    }
    Result<QByteArray> snapshotPart(const QString &name, qint64 offset) override
    {
        ++parts;
        auto part = m_network.snapshotPart(m_principal, name, offset);
        return onPart ? onPart(std::move(part), offset) : part;
    }
    Principal &principal() { return m_principal; }

private:
    Network &m_network;
    Principal m_principal;
};

// A replica: its node, its account, its link and engine.
struct Replica
{
    std::unique_ptr<Node> node;
    Actor actor;
    std::unique_ptr<Link> link;
    std::unique_ptr<sync::SyncEngine> engine;
};

// The server and its replicas over one network, on one world clock.
struct World
{
    // In memory where the machine offers it: hundreds of seeds, each many
    // small transactions; the files are real SQLite files all the same.
    QTemporaryDir dir{QFileInfo(QStringLiteral("/dev/shm")).isWritable()
                          ? QStringLiteral("/dev/shm/colophon-sync-XXXXXX")
                          : QDir::tempPath() + QStringLiteral("/colophon-sync-XXXXXX")};
    qint64 nowMs = 1'750'000'000'000;
    std::mt19937 random;
    std::unique_ptr<Node> server;
    std::unique_ptr<sync::SyncServer> sync;
    std::unique_ptr<Network> network;
    std::deque<Replica> replicas; // stable references as replicas are added

    explicit World(unsigned seed) : random(seed)
    {
        server = Node::open(dir.filePath(QStringLiteral("server.db")), &nowMs);
        if (server) {
            server->log->setServerOrdered(true);
            sync = std::make_unique<sync::SyncServer>(*server->db, *server->log, server->registry,
                                                      sync::SyncLimits{},
                                                      [this] { return server->clock.nowMs(); });
            network = std::make_unique<Network>(*sync, random);
        }
    }

    // A replica of a new account, or of userId's (another device of theirs).
    Replica &add(Role role, qint64 offsetMs = 0, const QString &userId = {})
    {
        Replica r;
        r.node = Node::open(dir.filePath(QStringLiteral("replica-%1.db").arg(replicas.size())),
                            &nowMs, offsetMs);
        r.actor =
            Actor{userId.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : userId,
                  role,
                  {}};
        r.link = std::make_unique<Link>(*network, Principal{r.actor.userId, role});
        r.engine = std::make_unique<sync::SyncEngine>(*r.node->db, *r.node->log, r.node->registry,
                                                      *r.link);
        // Each replica its own download folder: here they share one.
        r.engine->setSnapshotDir(dir.filePath(QStringLiteral("snapshots-%1").arg(replicas.size())));
        replicas.push_back(std::move(r));
        return replicas.back();
    }
};

// Every replica syncs, twice round, so what one pushed reaches the others.
inline Result<sync::SyncReport> syncAll(World &w)
{
    sync::SyncReport last;
    for (int round = 0; round < 2; ++round) {
        for (Replica &r : w.replicas) {
            auto done = r.engine->sync();
            if (!done) {
                return done;
            }
            last = *done;
        }
    }
    return last;
}

} // namespace syncfixture
