// SPDX-License-Identifier: MIT
#include "sync/syncsnapshot.h"

#include "backend/auth/permissions.h"
#include "backend/core/sha256.h"
#include "backend/db/database.h"
#include "backend/db/sqlquery.h"
#include "backend/events/eventlog.h"
#include "sync/syncprotocol.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSqlQuery>
#include <map>
#include <set>
#include <zstd.h>

namespace colophon::sync {

namespace {

const QString kSchema = QStringLiteral("snap");
// A snapshot's file: "<view>-<seq>" and this, zstd-compressed SQLite.
const QString kSuffix = QStringLiteral(".db.zst");

Error ioError(const QString &what, const QFile &file)
{
    return Error::internal(
        QStringLiteral("%1 %2: %3").arg(what, file.fileName(), file.errorString()));
}

Result<void> run(const QSqlDatabase &db, const QString &sql, const QVariantList &values = {})
{
    auto q = execSql(db, sql, values);
    if (!q) {
        return fail(q.error());
    }
    return {};
}

// The columns of schema.table, in order.
Result<QStringList> columnsOf(const QSqlDatabase &db, const QString &schema, const QString &table)
{
    auto q = execSql(db, QStringLiteral("PRAGMA %1.table_info(%2)").arg(schema, table));
    if (!q) {
        return fail(q.error());
    }
    QStringList out;
    while (q->next()) {
        out << q->value(1).toString();
    }
    if (out.isEmpty()) {
        return fail(Error::internal(QStringLiteral("no table %1.%2").arg(schema, table)));
    }
    return out;
}

// The indexes of schema.table that can be dropped (not those of its keys),
// as name and definition.
Result<std::vector<std::pair<QString, QString>>>
indexesOf(const QSqlDatabase &db, const QString &table,
          const QString &schema = QStringLiteral("main"))
{
    auto q = execSql(db,
                     QStringLiteral("SELECT name, sql FROM %1.sqlite_master WHERE type = "
                                    "'index' AND tbl_name = ? AND sql IS NOT NULL")
                         .arg(schema),
                     {table});
    if (!q) {
        return fail(q.error());
    }
    std::vector<std::pair<QString, QString>> out;
    while (q->next()) {
        out.emplace_back(q->value(0).toString(), q->value(1).toString());
    }
    return out;
}

// Makes schema.table as main.table is, without its indexes.
Result<void> copyTableDefinition(const QSqlDatabase &db, const QString &table)
{
    auto sql = queryValue(
        db, QStringLiteral("SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?"),
        {table});
    if (!sql) {
        return fail(sql.error());
    }
    QString create = sql->toString();
    static const QRegularExpression head(QStringLiteral("^CREATE TABLE\\s+\"?(\\w+)\"?"),
                                         QRegularExpression::CaseInsensitiveOption);
    const auto match = head.match(create);
    if (!match.hasMatch() || match.captured(1) != table) {
        return fail(Error::internal(QStringLiteral("cannot read the definition of %1").arg(table)));
    }
    create.replace(0, match.capturedLength(),
                   QStringLiteral("CREATE TABLE %1.%2").arg(kSchema, table));
    return run(db, create);
}

// Gives schema.table the indexes main.table has. A snapshot carries them, so
// a replica's INSERT … SELECT * into its empty table copies the rows and the
// indexes' b-trees as they are (SQLite's transfer optimisation) instead of
// building the indexes again.
Result<void> copyIndexDefinitions(const QSqlDatabase &db, const QString &table)
{
    auto indexes = indexesOf(db, table);
    if (!indexes) {
        return fail(indexes.error());
    }
    static const QRegularExpression indexHead(
        QStringLiteral("^CREATE\\s+(UNIQUE\\s+)?INDEX\\s+\"?(\\w+)\"?"),
        QRegularExpression::CaseInsensitiveOption);
    for (const auto &[name, sql] : *indexes) {
        const auto head = indexHead.match(sql);
        if (!head.hasMatch() || head.captured(2) != name) {
            return fail(Error::internal(QStringLiteral("cannot read the index %1").arg(name)));
        }
        QString qualified = sql;
        qualified.replace(
            0, head.capturedLength(),
            QStringLiteral("CREATE %1INDEX %2.%3").arg(head.captured(1), kSchema, name));
        if (auto ok = run(db, qualified); !ok) {
            return ok;
        }
    }
    return {};
}

// The distinct tables of the handlers' snapshots.
std::vector<std::pair<ReplicationHandler *, ReplicationHandler::SnapshotTable>>
tablesOf(const ReplicationRegistry &registry)
{
    std::vector<std::pair<ReplicationHandler *, ReplicationHandler::SnapshotTable>> out;
    std::set<QString> seen;
    for (ReplicationHandler *h : registry.handlers()) {
        for (auto &t : h->snapshotTables()) {
            if (seen.insert(t.table).second) {
                out.emplace_back(h, t);
            }
        }
    }
    return out;
}

// The SQLite file at path, attached as kSchema to this thread's connection
// while the guard lives. ATTACH and DETACH cannot run inside a transaction.
class Attachment final
{
public:
    static Result<std::unique_ptr<Attachment>> open(Database &db, const QString &path)
    {
        if (auto ok = run(db.connection(), QStringLiteral("ATTACH DATABASE ? AS %1").arg(kSchema),
                          {path});
            !ok) {
            return fail(ok.error());
        }
        return std::unique_ptr<Attachment>(new Attachment(db));
    }
    ~Attachment()
    {
        (void)run(m_db.connection(), QStringLiteral("DETACH DATABASE %1").arg(kSchema));
    }
    Attachment(const Attachment &) = delete;
    Attachment &operator=(const Attachment &) = delete;

private:
    explicit Attachment(Database &db) : m_db(db) {}
    Database &m_db;
};

Result<void> zstdFailure(const char *what, size_t code)
{
    return fail(
        Error::internal(QStringLiteral("%1 failed: %2")
                            .arg(QLatin1String(what), QLatin1String(ZSTD_getErrorName(code)))));
}

constexpr qint64 kBuffer = 256 * 1024;

Result<void> openBoth(QFile &in, QFile &out)
{
    if (!in.open(QIODevice::ReadOnly)) {
        return fail(ioError(QStringLiteral("cannot read"), in));
    }
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return fail(ioError(QStringLiteral("cannot write"), out));
    }
    return {};
}

} // namespace

SnapshotStore::SnapshotStore(Database &db, EventLog &log, const ReplicationRegistry &registry,
                             QString dir, SnapshotSettings settings)
    : m_db(db), m_log(log), m_registry(registry), m_dir(std::move(dir)), m_settings(settings)
{
}

QString SnapshotStore::viewOf(const Principal &principal) const
{
    // Accounts that see every event share one view; any other sees its own.
    if (isAllowed(principal.role, Action::ContentReadAllDrafts)) {
        return QStringLiteral("all");
    }
    return QStringLiteral("u%1-%2").arg(sha256Hex(principal.userId.toUtf8()).left(16),
                                        roleName(principal.role).toLower());
}

nlohmann::json SnapshotStore::describe(const QString &name, qint64 seq, const QString &path) const
{
    QFile sum(path + QStringLiteral(".sha256"));
    const QString sha =
        sum.open(QIODevice::ReadOnly) ? QString::fromLatin1(sum.readAll().trimmed()) : QString();
    return {{"name", name.toStdString()},  {"seq", seq},         {"size", QFileInfo(path).size()},
            {"sha256", sha.toStdString()}, {"encoding", "zstd"}, {"format", "sqlite3"}};
}

Result<nlohmann::json> SnapshotStore::offer(const Principal &principal)
{
    if (m_db.dialect().name() != QLatin1String("sqlite")) {
        return fail(
            Error::notFound(QStringLiteral("this server keeps no snapshots on %1: pull the log")
                                .arg(m_db.dialect().name())));
    }
    auto head = m_log.lastSeq();
    if (!head) {
        return fail(head.error());
    }
    if (*head < m_settings.minEvents) {
        return fail(Error::notFound(
            QStringLiteral("the log holds %1 events, fewer than a snapshot is made for: pull it")
                .arg(*head)));
    }
    const QString view = viewOf(principal);
    std::lock_guard lock(m_mutex);
    if (const qint64 newest = reusable(view, *head); newest >= 0) {
        const QString name = view + QLatin1Char('-') + QString::number(newest);
        return describe(name, newest, m_dir + QLatin1Char('/') + name + kSuffix);
    }
    return make(principal, view);
}

qint64 SnapshotStore::reusable(const QString &view, qint64 head) const
{
    qint64 newest = -1;
    const QString prefix = view + QLatin1Char('-');
    for (const QString &file : QDir(m_dir).entryList({prefix + QLatin1Char('*') + kSuffix})) {
        bool ok = false;
        const qint64 seq = file.mid(prefix.size()).chopped(kSuffix.size()).toLongLong(&ok);
        if (ok) {
            newest = std::max(newest, seq);
        }
    }
    // Reused while the events after it are few: at most maxLagEvents, and
    // no more than it holds (a young log grows fast).
    return newest >= 0 && head - newest <= std::min(m_settings.maxLagEvents, newest) ? newest : -1;
}

Result<QString> SnapshotStore::refresh()
{
    if (m_db.dialect().name() != QLatin1String("sqlite")) {
        return QString();
    }
    auto head = m_log.lastSeq();
    if (!head) {
        return fail(head.error());
    }
    const Principal editor{QString(), Role::Editor};
    const QString view = viewOf(editor);
    std::lock_guard lock(m_mutex);
    prune();
    if (*head < m_settings.minEvents || reusable(view, *head) >= 0) {
        return QString();
    }
    auto made = make(editor, view);
    if (!made) {
        return fail(made.error());
    }
    return QString::fromStdString((*made)["name"].get<std::string>());
}

void SnapshotStore::prune() const
{
    const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(
        -std::max<qint64>(0, m_settings.accountViewSeconds));
    const QDir dir(m_dir);
    for (const QFileInfo &file : dir.entryInfoList({QStringLiteral("u*")}, QDir::Files)) {
        if (file.lastModified().toUTC() < before) {
            QFile::remove(file.filePath());
        }
    }
}

Result<nlohmann::json> SnapshotStore::make(const Principal &principal, const QString &view)
{
    prune();
    if (!QDir().mkpath(m_dir)) {
        return fail(Error::internal(QStringLiteral("cannot make %1").arg(m_dir)));
    }
    const QString building = m_dir + QLatin1Char('/') + view + QStringLiteral(".building");
    QFile::remove(building);
    const bool everything = view == QLatin1String("all");
    Result<qint64> seq = qint64(0);
    {
        auto attached = Attachment::open(m_db, building);
        if (!attached) {
            return fail(attached.error());
        }
        const QSqlDatabase db = m_db.connection();
        for (const char *pragma : {"page_size=8192", "journal_mode=OFF", "synchronous=OFF"}) {
            if (auto ok =
                    run(db, QStringLiteral("PRAGMA %1.%2").arg(kSchema, QLatin1String(pragma)));
                !ok) {
                return fail(ok.error());
            }
        }
        if (everything) {
            // A read of the log: writers go on meanwhile.
            if (auto ok = run(db, QStringLiteral("BEGIN")); !ok) {
                return fail(ok.error());
            }
            seq = fill(principal, nullptr);
            if (auto ok = run(db, seq ? QStringLiteral("COMMIT") : QStringLiteral("ROLLBACK"));
                !ok && seq) {
                seq = fail(ok.error());
            }
        } else {
            // Visibility is decided as a pull decides it, in a transaction.
            seq = m_db.transact([&](Transaction &tx) { return fill(principal, &tx); });
        }
    }
    if (!seq) {
        QFile::remove(building);
        return fail(seq.error());
    }
    const QString name = view + QLatin1Char('-') + QString::number(*seq);
    const QString path = m_dir + QLatin1Char('/') + name + kSuffix;
    auto zipped = compressFile(building, path + QStringLiteral(".part"));
    QFile::remove(building);
    if (!zipped) {
        return fail(zipped.error());
    }
    auto sha = fileSha256(path + QStringLiteral(".part"));
    if (!sha) {
        return fail(sha.error());
    }
    QFile sum(path + QStringLiteral(".sha256"));
    if (!sum.open(QIODevice::WriteOnly | QIODevice::Truncate) || sum.write(sha->toLatin1()) < 0) {
        return fail(ioError(QStringLiteral("cannot write"), sum));
    }
    sum.close();
    QFile::remove(path);
    if (!QFile::rename(path + QStringLiteral(".part"), path)) {
        return fail(Error::internal(QStringLiteral("cannot name the snapshot %1").arg(path)));
    }
    // The older snapshots of this view: a download of one starts over.
    const QString prefix = view + QLatin1Char('-');
    for (const QString &file : QDir(m_dir).entryList({prefix + QStringLiteral("*")})) {
        if (!file.startsWith(name + QLatin1Char('.'))) {
            QFile::remove(m_dir + QLatin1Char('/') + file);
        }
    }
    return describe(name, *seq, path);
}

Result<qint64> SnapshotStore::fill(const Principal &principal, Transaction *tx)
{
    const bool everything = tx == nullptr;
    const QSqlDatabase db = m_db.connection();
    auto head = queryValue(db, QStringLiteral("SELECT COALESCE(MAX(seq), 0) FROM main.event_log"));
    if (!head) {
        return fail(head.error());
    }
    const qint64 seq = head->toLongLong();
    QVariantList types;
    {
        auto q = execSql(db, QStringLiteral("SELECT DISTINCT type FROM main.event_log"));
        if (!q) {
            return fail(q.error());
        }
        while (q->next()) {
            if (m_registry.replicates(q->value(0).toString())) {
                types << q->value(0).toString();
            }
        }
    }
    const auto tables = tablesOf(m_registry);
    QStringList names{QStringLiteral("event_log")};
    for (const auto &[handler, table] : tables) {
        names << table.table;
    }
    for (const QString &table : names) {
        if (auto ok = copyTableDefinition(db, table); !ok) {
            return fail(ok.error());
        }
    }
    // The projections copied whole take their indexes first: SQLite then
    // copies their b-trees too. Otherwise indexes are made after the rows.
    if (everything) {
        for (const auto &[handler, table] : tables) {
            if (auto ok = copyIndexDefinitions(db, table.table); !ok) {
                return fail(ok.error());
            }
        }
    }
    // The log in a replica's shape: server_seq is the server's sequence.
    auto logColumns = columnsOf(db, QStringLiteral("main"), QStringLiteral("event_log"));
    if (!logColumns) {
        return fail(logColumns.error());
    }
    QStringList logSelect;
    for (const QString &column : *logColumns) {
        logSelect << (column == QLatin1String("server_seq") ? QStringLiteral("seq") : column);
    }
    const QString eventRows =
        QStringLiteral("INSERT INTO %1.event_log SELECT %2 FROM main.event_log WHERE ")
            .arg(kSchema, logSelect.join(QLatin1String(", ")));
    for (const QString &sql :
         {QStringLiteral("CREATE TABLE %1.snapshot_streams (stream TEXT PRIMARY KEY)"),
          QStringLiteral("CREATE TABLE %1.snapshot_info (key TEXT PRIMARY KEY, value TEXT NOT "
                         "NULL)")}) {
        if (auto ok = run(db, sql.arg(kSchema)); !ok) {
            return fail(ok.error());
        }
    }
    if (types.isEmpty()) {
        types << QString(); // no event replicates: an empty snapshot
    }
    QVariantList bound{seq};
    bound << types;
    if (everything) {
        if (auto ok = run(db,
                          eventRows + QStringLiteral("seq <= ? AND type IN (%1) ORDER BY seq")
                                          .arg(sqlPlaceholders(types.size())),
                          bound);
            !ok) {
            return fail(ok.error());
        }
        if (auto ok = run(db, QStringLiteral("INSERT INTO %1.snapshot_streams SELECT DISTINCT "
                                             "stream FROM %1.event_log")
                                  .arg(kSchema));
            !ok) {
            return fail(ok.error());
        }
        for (const auto &[handler, table] : tables) {
            if (auto ok = run(db, QStringLiteral("INSERT INTO %1.%2 SELECT * FROM main.%2")
                                      .arg(kSchema, table.table));
                !ok) {
                return fail(ok.error());
            }
        }
    } else {
        // What a pull from 0 would send, event by event, and which streams
        // it sends whole.
        std::map<qint64, QString> picked; // seq -> stream
        std::map<QString, qint64> total;  // replicated events per stream
        for (qint64 after = 0; after < seq;) {
            auto page = m_log.readAfter(after, 1000);
            if (!page) {
                return fail(page.error());
            }
            if (page->empty()) {
                break;
            }
            for (const Event &e : *page) {
                after = e.localSeq;
                if (e.localSeq > seq) {
                    break;
                }
                ReplicationHandler *handler = m_registry.handlerFor(e.type);
                if (!handler) {
                    continue;
                }
                ++total[e.stream];
                const Visibility seen = handler->visibility(*tx, principal, e);
                if (seen == Visibility::Hidden) {
                    continue;
                }
                picked.emplace(e.localSeq, e.stream);
                if (seen == Visibility::VisibleWithHistory) {
                    auto history = m_log.readStream(*tx, e.stream);
                    if (!history) {
                        return fail(history.error());
                    }
                    for (const Event &earlier : *history) {
                        if (earlier.localSeq < e.localSeq) {
                            picked.emplace(earlier.localSeq, earlier.stream);
                        }
                    }
                }
            }
        }
        std::map<QString, qint64> shown;
        for (const auto &[s, stream] : picked) {
            ++shown[stream];
        }
        QSqlQuery pick(db);
        pick.prepare(eventRows + QStringLiteral("seq = ?"));
        for (const auto &[s, stream] : picked) {
            pick.addBindValue(s);
            if (!pick.exec()) {
                return fail(sqlError(pick, QStringLiteral("copying a visible event")));
            }
        }
        QSqlQuery whole(db);
        whole.prepare(QStringLiteral("INSERT INTO %1.snapshot_streams VALUES (?)").arg(kSchema));
        for (const auto &[stream, count] : shown) {
            if (total[stream] != count) {
                continue;
            }
            whole.addBindValue(stream);
            if (!whole.exec()) {
                return fail(sqlError(whole, QStringLiteral("listing a whole stream")));
            }
        }
        pick.finish();
        whole.finish();
        for (const auto &[handler, table] : tables) {
            if (auto ok = run(db, QStringLiteral("INSERT INTO %1.%2 SELECT * FROM main.%2 WHERE "
                                                 "%3 IN (SELECT stream FROM %1.snapshot_streams)")
                                      .arg(kSchema, table.table, table.stream));
                !ok) {
                return fail(ok.error());
            }
        }
    }
    for (const QString &table : everything ? QStringList{names.front()} : names) {
        if (auto ok = copyIndexDefinitions(db, table); !ok) {
            return fail(ok.error());
        }
    }
    for (const auto &[key, value] :
         {std::pair{QStringLiteral("seq"), QString::number(seq)},
          std::pair{QStringLiteral("protocol"), QString::number(kProtocolVersion)},
          std::pair{QStringLiteral("madeAt"),
                    QString::number(QDateTime::currentMSecsSinceEpoch())}}) {
        if (auto ok =
                run(db, QStringLiteral("INSERT INTO %1.snapshot_info VALUES (?, ?)").arg(kSchema),
                    {key, value});
            !ok) {
            return fail(ok.error());
        }
    }
    return seq;
}

Result<SnapshotStore::Part> SnapshotStore::part(const Principal &principal, const QString &name,
                                                qint64 offset) const
{
    static const QRegularExpression shape(QStringLiteral("^[a-z0-9-]+-[0-9]+$"));
    const QString prefix = viewOf(principal) + QLatin1Char('-');
    bool numbered = false;
    (void)name.mid(prefix.size()).toLongLong(&numbered);
    if (!shape.match(name).hasMatch() || !name.startsWith(prefix) || !numbered) {
        return fail(Error::notFound(QStringLiteral("no such snapshot for this account")));
    }
    QFile file(m_dir + QLatin1Char('/') + name + kSuffix);
    if (!file.open(QIODevice::ReadOnly)) {
        return fail(Error::notFound(
            QStringLiteral("the snapshot %1 is gone (a newer one was made): ask again").arg(name)));
    }
    Part part;
    part.total = file.size();
    if (offset < 0 || offset > part.total) {
        return fail(
            Error::invalid(QStringLiteral("the offset %1 is outside the snapshot's %2 bytes")
                               .arg(offset)
                               .arg(part.total),
                           QStringLiteral("Range")));
    }
    if (!file.seek(offset)) {
        return fail(ioError(QStringLiteral("cannot read"), file));
    }
    part.data = file.read(std::min(m_settings.partBytes, part.total - offset));
    return part;
}

namespace {

// Copies the snapshot's rows of table into main. When it can (the same
// columns and indexes, into an empty table) as they are: SQLite then copies
// the records and the indexes' b-trees page by page (its transfer
// optimisation), decoding and building nothing. Otherwise (another schema
// version, rows already here) through load, with the table's own indexes
// dropped and made again after in one sorted pass each. True when whole.
Result<bool> copyTable(const QSqlDatabase &conn, const QString &table,
                       const std::function<Result<void>()> &load)
{
    auto here = columnsOf(conn, QStringLiteral("main"), table);
    auto there = columnsOf(conn, kSchema, table);
    auto empty =
        queryValue(conn, QStringLiteral("SELECT NOT EXISTS (SELECT 1 FROM main.%1)").arg(table));
    auto ours = indexesOf(conn, table);
    auto theirs = indexesOf(conn, table, kSchema);
    for (const Error *e : {here ? nullptr : &here.error(), there ? nullptr : &there.error(),
                           empty ? nullptr : &empty.error(), ours ? nullptr : &ours.error(),
                           theirs ? nullptr : &theirs.error()}) {
        if (e) {
            return fail(*e);
        }
    }
    QStringList made;
    for (const auto &[name, sql] : *theirs) {
        made << sql;
    }
    const bool sameIndexes = std::all_of(
        ours->begin(), ours->end(), [&](const auto &index) { return made.contains(index.second); });
    if (*here == *there && empty->toBool() && sameIndexes) {
        if (auto ok =
                run(conn,
                    QStringLiteral("INSERT INTO main.%1 SELECT * FROM %2.%1").arg(table, kSchema));
            !ok) {
            return fail(ok.error());
        }
        return true;
    }
    for (const auto &[name, sql] : *ours) {
        if (auto ok = run(conn, QStringLiteral("DROP INDEX main.%1").arg(name)); !ok) {
            return fail(ok.error());
        }
    }
    if (auto ok = load(); !ok) {
        return fail(ok.error());
    }
    for (const auto &[name, sql] : *ours) {
        if (auto ok = run(conn, sql); !ok) {
            return fail(ok.error());
        }
    }
    return false;
}

// The columns main.table shares with the snapshot's, copied in key order
// (so the key's own index grows at its end).
Result<void> copyColumns(const QSqlDatabase &conn, const QString &table)
{
    auto here = execSql(conn, QStringLiteral("PRAGMA main.table_info(%1)").arg(table));
    auto there = columnsOf(conn, kSchema, table);
    if (!here || !there) {
        return fail(here ? there.error() : here.error());
    }
    QStringList shared;
    QStringList key;
    while (here->next()) {
        const QString column = here->value(1).toString();
        if (there->contains(column)) {
            shared << column;
        }
        if (here->value(5).toInt() > 0) {
            key << column;
        }
    }
    const QString list = shared.join(QLatin1String(", "));
    const QString order =
        key.isEmpty() ? QString() : QStringLiteral(" ORDER BY ") + key.join(QLatin1String(", "));
    return run(conn, QStringLiteral("INSERT INTO main.%1 (%2) SELECT %2 FROM %3.%1%4")
                         .arg(table, list, kSchema, order));
}

Result<qint64> installSnapshot(Database &db, Transaction &tx, EventLog &log,
                               const ReplicationRegistry &registry)
{
    const QSqlDatabase conn = db.connection();
    // The log: whole (keeping the server's numbering), else renumbered.
    Result<qint64> stored = qint64(0);
    auto whole = copyTable(conn, QStringLiteral("event_log"), [&]() -> Result<void> {
        stored = log.storeSnapshot(tx, kSchema);
        return stored ? Result<void>{} : fail(stored.error());
    });
    if (!whole) {
        return fail(whole.error());
    }
    if (*whole) {
        stored = log.snapshotStored(tx, kSchema);
    }
    if (!stored) {
        return fail(stored.error());
    }
    std::set<ReplicationHandler *> touched;
    for (const auto &[handler, table] : tablesOf(registry)) {
        if (auto ok = copyTable(conn, table.table, [&] { return copyColumns(conn, table.table); });
            !ok) {
            return fail(ok.error());
        }
        touched.insert(handler);
    }
    for (ReplicationHandler *h : touched) {
        h->snapshotInstalled(tx);
    }
    // The events of streams the snapshot holds only in part: applied as pulled.
    QStringList partial;
    {
        auto q = execSql(conn, QStringLiteral("SELECT id FROM %1.event_log WHERE stream NOT IN "
                                              "(SELECT stream FROM %1.snapshot_streams) ORDER BY "
                                              "seq")
                                   .arg(kSchema));
        if (!q) {
            return fail(q.error());
        }
        while (q->next()) {
            partial << q->value(0).toString();
        }
    }
    for (const QString &id : partial) {
        auto e = log.find(QUuid::fromString(id));
        if (!e || !e->has_value()) {
            return fail(e ? Error::internal(QStringLiteral("event %1 was not stored").arg(id))
                          : e.error());
        }
        if (ReplicationHandler *h = registry.handlerFor((*e)->type)) {
            if (auto ok = h->apply(tx, **e); !ok) {
                return fail(ok.error());
            }
        }
    }
    return *stored;
}

} // namespace

Result<qint64> installSnapshotFile(Database &db, EventLog &log, const ReplicationRegistry &registry,
                                   const QString &path,
                                   const std::function<Result<void>(Transaction &)> &alongside)
{
    auto attached = Attachment::open(db, path);
    if (!attached) {
        return fail(attached.error());
    }
    return db.transact([&](Transaction &tx) -> Result<qint64> {
        auto count = installSnapshot(db, tx, log, registry);
        if (!count) {
            return fail(count.error());
        }
        if (auto ok = alongside(tx); !ok) {
            return fail(ok.error());
        }
        return *count;
    });
}

Result<qint64> snapshotSeq(Database &db, const QString &path)
{
    auto attached = Attachment::open(db, path);
    if (!attached) {
        return fail(attached.error());
    }
    auto v = queryValue(
        db.connection(),
        QStringLiteral("SELECT value FROM %1.snapshot_info WHERE key = 'seq'").arg(kSchema));
    if (!v) {
        return fail(v.error());
    }
    bool ok = false;
    const qint64 seq = v->toString().toLongLong(&ok);
    if (!ok) {
        return fail(Error::invalid(QStringLiteral("the snapshot names no sequence")));
    }
    return seq;
}

Result<void> compressFile(const QString &from, const QString &to)
{
    QFile in(from);
    QFile out(to);
    if (auto opened = openBoth(in, out); !opened) {
        return opened;
    }
    const std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(ZSTD_createCCtx(),
                                                                    &ZSTD_freeCCtx);
    if (!cctx) {
        return fail(Error::internal(QStringLiteral("cannot make a zstd context")));
    }
    // Level 1: most of the size for a fraction of the time; the frame's own
    // checksum lets a replica tell a damaged download as it unpacks it.
    for (const auto &[parameter, value] :
         {std::pair{ZSTD_c_compressionLevel, 1}, std::pair{ZSTD_c_checksumFlag, 1}}) {
        if (const size_t rc = ZSTD_CCtx_setParameter(cctx.get(), parameter, value);
            ZSTD_isError(rc)) {
            return zstdFailure("ZSTD_CCtx_setParameter", rc);
        }
    }
    QByteArray output(static_cast<qsizetype>(ZSTD_CStreamOutSize()), Qt::Uninitialized);
    bool last = false;
    while (!last) {
        const QByteArray input = in.read(kBuffer);
        if (input.isEmpty() && in.error() != QFileDevice::NoError) {
            return fail(ioError(QStringLiteral("cannot read"), in));
        }
        last = in.atEnd();
        ZSTD_inBuffer source{input.constData(), static_cast<size_t>(input.size()), 0};
        size_t remaining = 0;
        do {
            ZSTD_outBuffer sink{output.data(), static_cast<size_t>(output.size()), 0};
            remaining = ZSTD_compressStream2(cctx.get(), &sink, &source,
                                             last ? ZSTD_e_end : ZSTD_e_continue);
            if (ZSTD_isError(remaining)) {
                return zstdFailure("ZSTD_compressStream2", remaining);
            }
            const auto have = static_cast<qint64>(sink.pos);
            if (out.write(output.constData(), have) != have) {
                return fail(ioError(QStringLiteral("cannot write"), out));
            }
        } while (last ? remaining != 0 : source.pos < source.size);
    }
    if (!out.flush()) {
        return fail(ioError(QStringLiteral("cannot write"), out));
    }
    return {};
}

struct SnapshotUnpacker::State
{
    QFile out;
    std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> dctx{ZSTD_createDCtx(), &ZSTD_freeDCtx};
    QCryptographicHash sha{QCryptographicHash::Sha256};
    QByteArray buffer{static_cast<qsizetype>(ZSTD_DStreamOutSize()), Qt::Uninitialized};
    size_t wanted = 1; // ZSTD_decompressStream's hint: 0 once the frame is whole
};

SnapshotUnpacker::SnapshotUnpacker(std::unique_ptr<State> state) : m_state(std::move(state))
{
}

SnapshotUnpacker::~SnapshotUnpacker() = default;

Result<std::unique_ptr<SnapshotUnpacker>> SnapshotUnpacker::open(const QString &path)
{
    auto state = std::make_unique<State>();
    if (!state->dctx) {
        return fail(Error::internal(QStringLiteral("cannot make a zstd context")));
    }
    state->out.setFileName(path);
    if (!state->out.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return fail(ioError(QStringLiteral("cannot write"), state->out));
    }
    return std::unique_ptr<SnapshotUnpacker>(new SnapshotUnpacker(std::move(state)));
}

Result<void> SnapshotUnpacker::feed(const QByteArray &compressed)
{
    State &st = *m_state;
    st.sha.addData(compressed);
    ZSTD_inBuffer source{compressed.constData(), static_cast<size_t>(compressed.size()), 0};
    while (source.pos < source.size) {
        if (st.wanted == 0) {
            return fail(
                Error::invalid(QStringLiteral("the snapshot is damaged: bytes after its end")));
        }
        ZSTD_outBuffer sink{st.buffer.data(), static_cast<size_t>(st.buffer.size()), 0};
        st.wanted = ZSTD_decompressStream(st.dctx.get(), &sink, &source);
        if (ZSTD_isError(st.wanted)) {
            return fail(Error::invalid(QStringLiteral("the snapshot is damaged (%1)")
                                           .arg(QLatin1String(ZSTD_getErrorName(st.wanted)))));
        }
        const auto have = static_cast<qint64>(sink.pos);
        if (st.out.write(st.buffer.constData(), have) != have) {
            return fail(ioError(QStringLiteral("cannot write"), st.out));
        }
    }
    return {};
}

Result<QString> SnapshotUnpacker::finish()
{
    State &st = *m_state;
    // What the decoder still holds back for want of output space.
    while (st.wanted != 0) {
        ZSTD_inBuffer source{nullptr, 0, 0};
        ZSTD_outBuffer sink{st.buffer.data(), static_cast<size_t>(st.buffer.size()), 0};
        st.wanted = ZSTD_decompressStream(st.dctx.get(), &sink, &source);
        if (ZSTD_isError(st.wanted)) {
            return fail(Error::invalid(QStringLiteral("the snapshot is damaged (%1)")
                                           .arg(QLatin1String(ZSTD_getErrorName(st.wanted)))));
        }
        if (sink.pos == 0 && st.wanted != 0) {
            return fail(Error::invalid(QStringLiteral("the snapshot is damaged: it is cut short")));
        }
        const auto have = static_cast<qint64>(sink.pos);
        if (st.out.write(st.buffer.constData(), have) != have) {
            return fail(ioError(QStringLiteral("cannot write"), st.out));
        }
    }
    if (!st.out.flush()) {
        return fail(ioError(QStringLiteral("cannot write"), st.out));
    }
    st.out.close();
    return QString::fromLatin1(st.sha.result().toHex());
}

Result<QString> fileSha256(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return fail(ioError(QStringLiteral("cannot read"), file));
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&file)) {
        return fail(ioError(QStringLiteral("cannot read"), file));
    }
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace colophon::sync
