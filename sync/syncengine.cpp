// SPDX-License-Identifier: MIT
#include "sync/syncengine.h"

#include "backend/db/database.h"
#include "backend/db/sqlquery.h"
#include "backend/events/eventlog.h"
#include "backend/events/hybridclock.h"
#include "backend/events/uuidv7.h"
#include "sync/syncsnapshot.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QScopeGuard>
#include <algorithm>

namespace colophon::sync {

namespace {

Error protocolError(const QString &what)
{
    return Error{ErrorCode::Unavailable, QStringLiteral("the server's answer %1").arg(what), {}};
}

} // namespace

nlohmann::json SyncReport::toJson() const
{
    nlohmann::json out = {
        {"pushed", pushed},       {"duplicates", duplicates}, {"rejected", rejected},
        {"deferred", deferred},   {"pulled", pulled},         {"applied", applied},
        {"refetched", refetched}, {"cursor", cursor},         {"pending", pending}};
    nlohmann::json list = nlohmann::json::array();
    for (const QString &r : refusals) {
        list.push_back(r.toStdString());
    }
    out["refusals"] = std::move(list);
    if (snapshotSeq > 0) {
        out["snapshot"] = {{"seq", snapshotSeq},
                           {"events", snapshotEvents},
                           {"bytes", snapshotTiming.bytes},
                           {"offerMs", snapshotTiming.offerMs},
                           {"downloadMs", snapshotTiming.downloadMs},
                           {"unpackMs", snapshotTiming.unpackMs},
                           {"installMs", snapshotTiming.installMs}};
    }
    if (!snapshotError.isEmpty()) {
        out["snapshotError"] = snapshotError.toStdString();
    }
    return out;
}

SyncEngine::SyncEngine(Database &db, EventLog &log, const ReplicationRegistry &registry,
                       SyncTransport &transport)
    : m_db(db), m_log(log), m_registry(registry), m_transport(transport)
{
    if (m_db.dialect().name() == QLatin1String("sqlite") && !m_db.path().isEmpty()) {
        m_snapshotDir = QFileInfo(m_db.path()).absoluteDir().filePath(QStringLiteral("sync"));
    }
    // A clock found wrong before stays corrected across restarts.
    if (auto correction = state(m_db, QStringLiteral("clockCorrection"));
        correction && !correction->isEmpty()) {
        m_log.clock().setCorrection(correction->toLongLong());
    }
}

Result<QString> SyncEngine::state(Database &db, const QString &key)
{
    auto v = queryValue(db.connection(),
                        QStringLiteral("SELECT value FROM sync_state WHERE key = ?"), {key});
    if (!v) {
        if (v.error().code == ErrorCode::NotFound) {
            return QString();
        }
        return fail(v.error());
    }
    return v->toString();
}

Result<void> SyncEngine::setState(Transaction &tx, const QString &key, const QString &value)
{
    auto q = tx.execCached(QStringLiteral("INSERT INTO sync_state (key, value) VALUES (?, ?) ON "
                                          "CONFLICT (key) DO UPDATE SET value = excluded.value"),
                           {key, value});
    if (!q) {
        return fail(q.error());
    }
    return {};
}

Result<qint64> SyncEngine::storedCursor(Database &db)
{
    auto v = state(db, QStringLiteral("cursor"));
    if (!v) {
        return fail(v.error());
    }
    return v->toLongLong();
}

Result<nlohmann::json> SyncEngine::storedAccount(Database &db)
{
    auto v = state(db, QStringLiteral("account"));
    if (!v) {
        return fail(v.error());
    }
    auto j = nlohmann::json::parse(v->toStdString(), nullptr, false);
    return j.is_object() ? j : nlohmann::json::object();
}

Result<qint64> SyncEngine::cursor() const
{
    return storedCursor(m_db);
}

Result<nlohmann::json> SyncEngine::account() const
{
    return storedAccount(m_db);
}

Result<nlohmann::json> SyncEngine::hello()
{
    auto answer = m_transport.hello(
        {{"protocol", kProtocolVersion}, {"replicaId", m_log.replicaId().toStdString()}});
    if (!answer) {
        return fail(answer.error());
    }
    if (!answer->is_object() || integer(*answer, "protocol") < 0) {
        return fail(protocolError(QStringLiteral("to hello is not a sync greeting")));
    }
    if (answer->contains("limits") && (*answer)["limits"].is_object()) {
        const auto &limits = (*answer)["limits"];
        m_pushLimit =
            static_cast<int>(std::clamp<qint64>(integer(limits, "pushEvents", 500), 1, 500));
        m_pullLimit =
            static_cast<int>(std::clamp<qint64>(integer(limits, "pullEvents", 1000), 1, 1000));
        m_maxAheadMs = std::max<qint64>(1000, integer(limits, "maxAheadMs", 60000));
    }
    m_greeted = true;
    return answer;
}

Result<void> SyncEngine::undo(Transaction &tx, const QHash<QString, QString> &streams)
{
    for (auto it = streams.cbegin(); it != streams.cend(); ++it) {
        const QString &stream = it.key();
        auto events = m_log.readStream(tx, stream);
        if (!events) {
            return fail(events.error());
        }
        // The handler of that event's type owns the stream, even when
        // nothing of it is left to apply (a refused creation).
        ReplicationHandler *handler = m_registry.handlerFor(it.value());
        if (!handler) {
            continue;
        }
        if (auto ok = handler->reset(tx, stream); !ok) {
            return ok;
        }
        for (const Event &e : *events) {
            if (ReplicationHandler *h = m_registry.handlerFor(e.type)) {
                if (auto ok = h->apply(tx, e); !ok) {
                    return ok;
                }
            }
        }
    }
    return {};
}

Result<SyncReport> SyncEngine::push()
{
    SyncReport report;
    bool restamped = false;
    for (;;) {
        auto markText = state(m_db, QStringLiteral("mark"));
        if (!markText) {
            return fail(markText.error());
        }
        auto outbox = m_log.pending(m_pushLimit);
        if (!outbox) {
            return fail(outbox.error());
        }
        // Own events of types no server takes (local accounts, sign-ins)
        // stay local: sequence 0 marks them so.
        std::vector<Event> batch;
        std::vector<QUuid> local;
        for (Event &e : *outbox) {
            if (m_registry.replicates(e.type)) {
                batch.push_back(std::move(e));
            } else {
                local.push_back(e.id);
            }
        }
        if (!local.empty()) {
            auto kept = m_db.transact([&](Transaction &tx) -> Result<void> {
                for (const QUuid &id : local) {
                    if (auto ok = m_log.acknowledge(tx, id, 0); !ok) {
                        return ok;
                    }
                }
                return {};
            });
            if (!kept) {
                return fail(kept.error());
            }
        }
        if (batch.empty()) {
            if (local.empty()) {
                break;
            }
            continue;
        }
        nlohmann::json events = nlohmann::json::array();
        qint64 prev = markText->toLongLong();
        for (const Event &e : batch) {
            events.push_back({{"dseq", e.localSeq}, {"prev", prev}, {"event", e.toWire()}});
            prev = e.localSeq;
        }
        auto answer = m_transport.push(
            {{"replicaId", m_log.replicaId().toStdString()}, {"events", std::move(events)}});
        if (!answer) {
            return fail(answer.error());
        }
        const auto results = answer->find("results");
        if (results == answer->end() || !results->is_array() || integer(*answer, "mark") < 0) {
            return fail(protocolError(QStringLiteral("to a push has no results")));
        }
        bool deferred = false;
        bool clockAhead = false;
        auto settled = m_db.transact([&](Transaction &tx) -> Result<void> {
            QHash<QString, QString> undone; // stream -> the refused event's type
            for (const auto &r : *results) {
                const QUuid id = QUuid::fromString(text(r, "id"));
                const QString status = text(r, "status");
                const auto mine = std::find_if(batch.begin(), batch.end(),
                                               [&](const Event &e) { return e.id == id; });
                if (mine == batch.end()) {
                    continue; // not an event of this batch: ignore it
                }
                if (status == QLatin1String("applied") || status == QLatin1String("duplicate")) {
                    const qint64 seq = integer(r, "serverSeq", 0);
                    if (seq > 0) {
                        if (auto ok = m_log.acknowledge(tx, id, seq); !ok) {
                            return ok;
                        }
                    }
                    ++(status == QLatin1String("applied") ? report.pushed : report.duplicates);
                } else if (status == QLatin1String("rejected")) {
                    const nlohmann::json reason = {{"code", text(r, "code").toStdString()},
                                                   {"message", text(r, "message").toStdString()}};
                    if (auto ok = m_log.markRejected(tx, id, reason); !ok) {
                        return ok;
                    }
                    undone.insert(mine->stream, mine->type);
                    ++report.rejected;
                    report.refusals << QStringLiteral("%1 %2: %3")
                                           .arg(mine->type, mine->stream, text(r, "message"));
                } else {
                    ++report.deferred;
                    deferred = true;
                    clockAhead |= text(r, "code") == QLatin1String("clock-ahead");
                }
            }
            if (auto ok = undo(tx, undone); !ok) {
                return ok;
            }
            return setState(tx, QStringLiteral("mark"),
                            QString::number(integer(*answer, "mark", 0)));
        });
        if (!settled) {
            return fail(settled.error());
        }
        if (clockAhead && !restamped) {
            // Once per push: re-stamped, the same events go again.
            restamped = true;
            if (auto ok = restamp(integer(*answer, "serverTime", 0)); !ok) {
                return fail(ok.error());
            }
            report.deferred = 0;
            continue;
        }
        if (deferred) {
            break;
        }
    }
    auto pending = m_log.pendingCount();
    if (!pending) {
        return fail(pending.error());
    }
    report.pending = *pending;
    return report;
}

Result<void> SyncEngine::restamp(qint64 serverTimeMs)
{
    if (serverTimeMs <= 0) {
        return fail(protocolError(QStringLiteral("to a push deferred for the clock has no time")));
    }
    HybridClock &clock = m_log.clock();
    const qint64 correction = serverTimeMs - clock.wallMs();
    return m_db.transact([&](Transaction &tx) -> Result<void> {
        auto settledStamp = m_log.newestSettledStamp(tx);
        if (!settledStamp) {
            return fail(settledStamp.error());
        }
        clock.setCorrection(correction);
        clock.rewind(settledStamp->value_or(Hlc{}));
        auto outbox = m_log.pending(1'000'000);
        if (!outbox) {
            return fail(outbox.error());
        }
        QHash<QString, QString> streams; // stream -> an event's type
        bool ahead = false;
        for (Event &e : *outbox) {
            ahead |= e.hlc.physicalMs > serverTimeMs + m_maxAheadMs / 2;
            if (!ahead) {
                clock.update(e.hlc); // kept, and what follows stays after it
                continue;
            }
            e.hlc = clock.now();
            if (auto ok = m_log.rewritePending(tx, e); !ok) {
                return ok;
            }
            streams.insert(e.stream, e.type);
        }
        if (auto ok = undo(tx, streams); !ok) {
            return ok;
        }
        return setState(tx, QStringLiteral("clockCorrection"), QString::number(correction));
    });
}

Result<SyncEngine::Verification> SyncEngine::verify()
{
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto pulled = pull();
        if (!pulled) {
            return fail(pulled.error());
        }
        auto answer = m_transport.pull({m_log.replicaId(), pulled->cursor, 1, 0, true});
        if (!answer) {
            return fail(answer.error());
        }
        if (integer(*answer, "next") != pulled->cursor || answer->value("more", false)) {
            continue; // something was committed meanwhile: pull it and ask again
        }
        Verification v;
        v.cursor = pulled->cursor;
        const auto sum = answer->find("checksum");
        if (sum == answer->end() || !sum->is_string()) {
            return v; // not comparable for this account
        }
        v.comparable = true;
        v.server = QString::fromStdString(sum->get<std::string>());
        auto q = execSql(m_db.connection(),
                         QStringLiteral("SELECT id, type FROM event_log WHERE server_seq BETWEEN 1 "
                                        "AND ?"),
                         {v.cursor});
        if (!q) {
            return fail(q.error());
        }
        EventSetChecksum local;
        while (q->next()) {
            if (m_registry.replicates(q->value(1).toString())) {
                local.add(q->value(0).toString());
            }
        }
        v.local = local.hex();
        v.same = v.local == v.server;
        return v;
    }
    return fail(Error{ErrorCode::Unavailable,
                      QStringLiteral("the server kept changing: verify again later"),
                      {}});
}

Result<int> SyncEngine::foreignPending() const
{
    auto account = this->account();
    if (!account) {
        return fail(account.error());
    }
    const QString userId = text(*account, "userId");
    auto outbox = m_log.pending(1'000'000);
    if (!outbox) {
        return fail(outbox.error());
    }
    return static_cast<int>(std::count_if(outbox->begin(), outbox->end(), [&](const Event &e) {
        return m_registry.replicates(e.type) && e.actorId != userId;
    }));
}

Result<int> SyncEngine::adoptPending(const QString &userId)
{
    if (userId.isEmpty()) {
        return fail(Error::invalid(QStringLiteral("adopting needs the account's id")));
    }
    return m_db.transact([&](Transaction &tx) -> Result<int> {
        auto outbox = m_log.pending(1'000'000);
        if (!outbox) {
            return fail(outbox.error());
        }
        QHash<QString, QString> streams; // stream -> an event's type
        int adopted = 0;
        for (Event &e : *outbox) {
            if (!m_registry.replicates(e.type) || e.actorId == userId) {
                continue;
            }
            e.actorId = userId;
            // An item made here is the account's, as its author.
            if (auto changes = e.payload.find("changes"); changes != e.payload.end() &&
                                                          changes->is_object() &&
                                                          changes->contains("authorId")) {
                (*changes)["authorId"] = userId.toStdString();
            }
            if (auto ok = m_log.rewritePending(tx, e); !ok) {
                return fail(ok.error());
            }
            ++adopted;
            streams.insert(e.stream, e.type);
        }
        if (auto ok = undo(tx, streams); !ok) {
            return fail(ok.error());
        }
        return adopted;
    });
}

Result<SyncReport> SyncEngine::pull(int waitMs)
{
    SyncReport report;
    auto from = cursor();
    if (!from) {
        return fail(from.error());
    }
    qint64 since = *from;
    if (since == 0 && !m_snapshotDir.isEmpty()) {
        auto start = startFromSnapshot(report);
        if (!start) {
            return fail(start.error());
        }
        since = start->value_or(0);
    }
    bool refetched = false;
    for (int page = 0;; ++page) {
        auto answer =
            m_transport.pull({m_log.replicaId(), since, m_pullLimit, page == 0 ? waitMs : 0});
        if (!answer) {
            return fail(answer.error());
        }
        const auto events = answer->find("events");
        const qint64 next = integer(*answer, "next");
        if (events == answer->end() || !events->is_array() || next < 0) {
            return fail(protocolError(QStringLiteral("to a pull has no events")));
        }
        const bool mustRefetch = answer->value("mustRefetch", false);
        if (mustRefetch && refetched) {
            return fail(protocolError(QStringLiteral("asked to start over twice")));
        }
        auto applied = m_db.transact([&](Transaction &tx) -> Result<void> {
            for (const auto &item : *events) {
                const qint64 seq = integer(item, "serverSeq");
                auto e = Event::fromWire(item.contains("event") ? item["event"] : nlohmann::json());
                if (!e || seq <= 0) {
                    return fail(protocolError(QStringLiteral("holds a malformed event")));
                }
                auto fresh = m_log.storeRemote(tx, *e, seq);
                if (!fresh) {
                    return fail(fresh.error());
                }
                ++report.pulled;
                if (!*fresh) {
                    continue; // had it (perhaps our own): now acknowledged
                }
                if (ReplicationHandler *h = m_registry.handlerFor(e->type)) {
                    if (auto ok = h->apply(tx, *e); !ok) {
                        return ok;
                    }
                }
                ++report.applied;
            }
            if (answer->contains("account") && (*answer)["account"].is_object()) {
                if (auto ok = setState(tx, QStringLiteral("account"),
                                       QString::fromStdString((*answer)["account"].dump()));
                    !ok) {
                    return ok;
                }
            }
            return setState(tx, QStringLiteral("cursor"), QString::number(mustRefetch ? 0 : next));
        });
        if (!applied) {
            return fail(applied.error());
        }
        if (mustRefetch) {
            refetched = true;
            report.refetched = true;
            since = 0;
            continue;
        }
        since = next;
        if (!answer->value("more", false)) {
            break;
        }
    }
    report.cursor = since;
    auto pending = m_log.pendingCount();
    if (!pending) {
        return fail(pending.error());
    }
    report.pending = *pending;
    return report;
}

Result<std::optional<qint64>> SyncEngine::startFromSnapshot(SyncReport &report)
{
    // Only a replica holding nothing replicated: the snapshot's rows are
    // copied in whole, beside nothing they could disagree with.
    auto held =
        queryValue(m_db.connection(),
                   QStringLiteral("SELECT EXISTS (SELECT 1 FROM event_log WHERE server_seq > 0)"));
    auto pending = m_log.pendingCount();
    if (!held || !pending) {
        return fail(held ? pending.error() : held.error());
    }
    if (held->toBool() || *pending > 0) {
        return std::optional<qint64>();
    }
    static const QRegularExpression shape(QStringLiteral("^[a-z0-9-]{1,100}$"));
    QDir dir(m_snapshotDir);
    if (!dir.mkpath(QStringLiteral("."))) {
        return fail(Error::internal(QStringLiteral("cannot make %1").arg(m_snapshotDir)));
    }
    // Twice at most: a snapshot the server replaced mid-download is asked again.
    for (int attempt = 0; attempt < 2; ++attempt) {
        QElapsedTimer asked;
        asked.start();
        auto offer = m_transport.snapshotOffer(m_log.replicaId());
        report.snapshotTiming.offerMs = asked.elapsed();
        if (!offer) {
            if (offer.error().code == ErrorCode::NotFound) {
                return std::optional<qint64>(); // none to give: pull the log
            }
            return fail(offer.error());
        }
        const QString name = text(*offer, "name");
        const qint64 seq = integer(*offer, "seq");
        const qint64 size = integer(*offer, "size");
        const QString sha = text(*offer, "sha256");
        if (!shape.match(name).hasMatch() || seq <= 0 || size <= 0 || sha.size() != 64) {
            return fail(protocolError(QStringLiteral("offers a malformed snapshot")));
        }
        if (const QString encoding = text(*offer, "encoding"); encoding != QLatin1String("zstd")) {
            report.snapshotError =
                QStringLiteral("the server's snapshot is encoded as %1, which this replica cannot "
                               "read: the log was pulled instead")
                    .arg(encoding);
            return std::optional<qint64>();
        }
        const QString stem = QStringLiteral("snapshot-") + name;
        for (const QString &old : dir.entryList({QStringLiteral("snapshot-*")}, QDir::Files)) {
            if (!old.startsWith(stem + QLatin1Char('.'))) {
                dir.remove(old); // what is left of another snapshot
            }
        }
        const QString partPath = dir.filePath(stem + QStringLiteral(".zst.part"));
        const QString dbPath = dir.filePath(stem + QStringLiteral(".db"));
        QFile part(partPath);
        if (!part.open(QIODevice::ReadWrite | QIODevice::Append)) {
            return fail(Error::internal(
                QStringLiteral("cannot write %1: %2").arg(partPath, part.errorString())));
        }
        qint64 offset = part.size();
        if (offset > size) {
            part.resize(0);
            offset = 0;
        }
        // Kept until installed: the compressed parts (a cut download resumes
        // from them) and the database they unpack to as they arrive.
        bool keepPart = true;
        const auto cleanup = qScopeGuard([&] {
            part.close();
            if (!keepPart) {
                QFile::remove(partPath);
            }
            QFile::remove(dbPath);
        });
        const auto damaged = [&](const Error &why) {
            keepPart = false;
            return Error{ErrorCode::Unavailable,
                         QStringLiteral("%1; the next sync fetches the snapshot %2 again")
                             .arg(why.message, name),
                         {}};
        };
        auto unpacker = SnapshotUnpacker::open(dbPath);
        if (!unpacker) {
            return fail(unpacker.error());
        }
        QElapsedTimer clock;
        clock.start();
        for (qint64 fed = 0; fed < offset;) { // what an earlier sync received
            if (!part.seek(fed)) {
                return fail(Error::internal(QStringLiteral("cannot read %1").arg(partPath)));
            }
            const QByteArray had = part.read(std::min<qint64>(offset - fed, 1 << 20));
            if (had.isEmpty()) {
                return fail(Error::internal(QStringLiteral("cannot read %1").arg(partPath)));
            }
            if (auto ok = (*unpacker)->feed(had); !ok) {
                return fail(damaged(ok.error()));
            }
            fed += had.size();
        }
        bool gone = false;
        qint64 unpackNs = 0;
        while (offset < size) {
            auto bytes = m_transport.snapshotPart(name, offset);
            if (!bytes) {
                if (bytes.error().code == ErrorCode::NotFound) {
                    gone = true;
                    break;
                }
                return fail(bytes.error()); // the next sync resumes from offset
            }
            if (bytes->isEmpty() || offset + bytes->size() > size) {
                return fail(
                    protocolError(QStringLiteral("sends a snapshot part that does not fit")));
            }
            if (part.write(*bytes) != bytes->size() || !part.flush()) {
                return fail(Error::internal(
                    QStringLiteral("cannot write %1: %2").arg(partPath, part.errorString())));
            }
            offset += bytes->size();
            const qint64 before = clock.nsecsElapsed();
            if (auto ok = (*unpacker)->feed(*bytes); !ok) {
                return fail(damaged(ok.error()));
            }
            unpackNs += clock.nsecsElapsed() - before;
        }
        if (gone) {
            keepPart = false;
            continue;
        }
        auto sum = (*unpacker)->finish();
        if (!sum || *sum != sha) {
            return fail(
                damaged(sum ? Error::invalid(QStringLiteral("the snapshot is damaged: its SHA-256 "
                                                            "differs"))
                            : sum.error()));
        }
        keepPart = false;
        report.snapshotTiming.bytes = size;
        report.snapshotTiming.unpackMs = unpackNs / 1'000'000;
        report.snapshotTiming.downloadMs = clock.elapsed() - report.snapshotTiming.unpackMs;
        clock.restart();
        auto count = [&]() -> Result<qint64> {
            auto asOf = snapshotSeq(m_db, dbPath);
            if (!asOf) {
                return fail(asOf.error());
            }
            if (*asOf != seq) {
                return fail(protocolError(QStringLiteral("offers a snapshot of another sequence")));
            }
            return installSnapshotFile(m_db, m_log, m_registry, dbPath, [&](Transaction &tx) {
                return setState(tx, QStringLiteral("cursor"), QString::number(seq));
            });
        }();
        report.snapshotTiming.installMs = clock.elapsed();
        if (!count) {
            // Nothing of it stayed (one transaction): pulling the log still works.
            report.snapshotError = count.error().message;
            return std::optional<qint64>();
        }
        report.snapshotSeq = seq;
        report.snapshotEvents = *count;
        report.pulled += static_cast<int>(*count);
        report.applied += static_cast<int>(*count);
        return std::optional<qint64>(seq);
    }
    return std::optional<qint64>();
}

Result<SyncReport> SyncEngine::sync()
{
    if (!m_greeted) {
        if (auto greeted = hello(); !greeted) {
            return fail(greeted.error());
        }
    }
    auto pushed = push();
    if (!pushed) {
        return fail(pushed.error());
    }
    auto pulled = pull();
    if (!pulled) {
        return fail(pulled.error());
    }
    SyncReport report = *pulled;
    report.pushed = pushed->pushed;
    report.duplicates = pushed->duplicates;
    report.rejected = pushed->rejected;
    report.deferred = pushed->deferred;
    report.refusals = pushed->refusals;
    return report;
}

} // namespace colophon::sync
