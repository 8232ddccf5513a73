// SPDX-License-Identifier: MIT
// Snapshots (sync/syncsnapshot.h) over an in-process server and replicas on
// real SQLite files: a fresh replica that starts from one holds exactly what
// a replica that pulled every event holds, for an editor and for a creator
// (who never receives another creator's drafts); a cut download resumes, a
// damaged one is fetched again, a replaced one is asked again; a replica
// that already holds replicated events never takes one. The unpacker that
// decompresses a download as it arrives gives the same bytes whatever the part
// sizes, and refuses a stream cut, padded or altered.

#include "sync/syncsnapshot.h"
#include "tests/sync/syncfixture.h"

#include <QFile>
#include <QTest>

using namespace colophon;
using namespace syncfixture;

class SyncSnapshot : public QObject
{
    Q_OBJECT

private slots:
    void anEditorsSnapshotEqualsPullingTheLog();
    void aCreatorsSnapshotHoldsOnlyWhatTheCreatorMaySee();
    void aCutDownloadResumesWhereItStopped();
    void aDamagedDownloadIsFetchedAgain();
    void aSnapshotReplacedMidDownloadIsAskedAgain();
    void aReplicaHoldingEventsNeverTakesASnapshot();
    void aSnapshotOfAnotherViewIsRefused();
    void aShortLogIsPulledNotSnapshotted();
    void theSharedSnapshotIsMadeAheadWhenStale();
    void anAccountsSnapshotIsRemovedOnceItsTimeIsOver();
    void aReplicaOfAnotherSchemaCopiesColumnByColumn();
    void unpackingInPartsOfAnySizeGivesTheFileAndItsHash();
    void aCutPaddedOrAlteredStreamIsRefused();
};

namespace {

ContentDraft draft(const QString &title, const QStringList &tags = {})
{
    ContentDraft d;
    d.title = title;
    d.body = QStringLiteral("first line\nsecond line\n");
    d.tags = tags;
    return d;
}

// The ids of every replicated event a replica holds, sorted.
QStringList eventIds(const Replica &r)
{
    QStringList ids;
    auto q = execSql(r.node->db->connection(),
                     QStringLiteral("SELECT id FROM event_log WHERE server_seq > 0 ORDER BY id"));
    while (q && q->next()) {
        ids << q->value(0).toString();
    }
    return ids;
}

// A server with snapshots from the first event, and content by two creators
// and an editor: drafts, published items with tags and edits, an item
// published then archived, a category, a relation, a deleted item.
struct Seeded
{
    World w{11};
    Replica *alice = nullptr;
    Replica *bob = nullptr;
    Replica *editor = nullptr;
    QString aliceDraft;
    QString published;
    QString withdrawn;

    explicit Seeded(sync::SnapshotSettings settings = {1, 20000, 8 * 1024 * 1024, 3600})
    {
        w.sync->enableSnapshots(w.dir.filePath(QStringLiteral("server-snapshots")), settings);
        alice = &w.add(Role::Creator);
        bob = &w.add(Role::Creator);
        editor = &w.add(Role::Editor);
    }

    bool seed()
    {
        ContentService &a = *alice->node->content;
        auto secret = a.create(alice->actor, draft(QStringLiteral("Alice's draft"), {"secret"}));
        auto pub = a.create(alice->actor, draft(QStringLiteral("To publish"), {"news", "tech"}));
        auto gone = a.create(alice->actor, draft(QStringLiteral("Withdrawn later")));
        auto deleted = bob->node->content->create(bob->actor, draft(QStringLiteral("Bob's")));
        if (!secret || !pub || !gone || !deleted || !syncAll(w)) {
            return false;
        }
        aliceDraft = secret->id;
        published = pub->id;
        withdrawn = gone->id;
        ContentService &e = *editor->node->content;
        ContentChange publish;
        publish.status = ContentStatus::Published;
        ContentChange edit;
        edit.body = QStringLiteral("first line\nsecond line, edited\n");
        edit.tags = QStringList{QStringLiteral("news"), QStringLiteral("edited")};
        ContentChange archive;
        archive.status = ContentStatus::Archived;
        auto category = e.createCategory(editor->actor, {QStringLiteral("Essays"), {}, {}, {}});
        if (!e.update(editor->actor, published, publish) ||
            !e.update(editor->actor, published, edit) ||
            !e.update(editor->actor, withdrawn, publish) || !category) {
            return false;
        }
        ContentChange filed;
        filed.categories = QStringList{category->id};
        if (!e.update(editor->actor, published, filed) ||
            !e.link(editor->actor, published, QStringLiteral("related"), withdrawn) ||
            !syncAll(w) || !e.update(editor->actor, withdrawn, archive) ||
            !bob->node->content->remove(bob->actor, deleted->id)) {
            return false;
        }
        return bool(syncAll(w));
    }
};

} // namespace

void SyncSnapshot::anEditorsSnapshotEqualsPullingTheLog()
{
    Seeded s;
    QVERIFY(s.seed());
    Replica &fromSnapshot = s.w.add(Role::Editor);
    fromSnapshot.link->snapshots = true;
    Replica &pulled = s.w.add(Role::Editor);
    auto first = fromSnapshot.engine->sync();
    QVERIFY2(first, qPrintable(why(first)));
    QVERIFY(first->snapshotSeq > 0);
    QVERIFY(first->snapshotError.isEmpty());
    QCOMPARE(first->snapshotEvents, qint64(eventIds(*s.editor).size()));
    QVERIFY(pulled.engine->sync());
    QCOMPARE(pulled.engine->sync()->snapshotSeq, qint64(0));

    QCOMPARE(fromSnapshot.node->projection(), pulled.node->projection());
    QCOMPARE(fromSnapshot.node->projection(), s.editor->node->projection());
    QCOMPARE(eventIds(fromSnapshot), eventIds(pulled));
    // Copied whole, pages and all: the log in the server's order and numbers.
    auto renumbered =
        queryValue(fromSnapshot.node->db->connection(),
                   QStringLiteral("SELECT COUNT(*) FROM event_log WHERE seq IS NOT server_seq"));
    QVERIFY(renumbered);
    QCOMPARE(renumbered->toInt(), 0);
    auto integrity =
        queryValue(fromSnapshot.node->db->connection(), QStringLiteral("PRAGMA integrity_check"));
    QVERIFY(integrity);
    QCOMPARE(integrity->toString(), QStringLiteral("ok")); // the copied indexes fit the rows
    auto verified = fromSnapshot.engine->verify();
    QVERIFY2(verified, qPrintable(why(verified)));
    QVERIFY(verified->comparable && verified->same);
    // The listing cache saw the copied rows.
    auto listed = fromSnapshot.node->content->list(fromSnapshot.actor, {});
    QVERIFY2(listed, qPrintable(why(listed)));
    QCOMPARE(listed->total, pulled.node->content->list(pulled.actor, {})->total);
    QVERIFY(!QDir(s.w.dir.path()).entryList({QStringLiteral("*.building")}).size());

    // After it, the log is tailed: an edit made elsewhere arrives, and one
    // made here goes out, on the rows the snapshot brought.
    ContentChange retitle;
    retitle.title = QStringLiteral("Retitled after the snapshot");
    QVERIFY(s.editor->node->content->update(s.editor->actor, s.published, retitle));
    ContentChange tagged;
    tagged.tags = QStringList{QStringLiteral("news"), QStringLiteral("from-the-snapshot")};
    QVERIFY(fromSnapshot.node->content->update(fromSnapshot.actor, s.published, tagged));
    QVERIFY(syncAll(s.w));
    QCOMPARE(fromSnapshot.node->projection(), s.editor->node->projection());
    QCOMPARE(pulled.node->projection(), s.editor->node->projection());
    auto item = fromSnapshot.node->content->get(fromSnapshot.actor, s.published);
    QVERIFY(item);
    QCOMPARE(item->title, QStringLiteral("Retitled after the snapshot"));
    QVERIFY(item->tags.contains(QStringLiteral("from-the-snapshot")));
}

void SyncSnapshot::aCreatorsSnapshotHoldsOnlyWhatTheCreatorMaySee()
{
    Seeded s;
    QVERIFY(s.seed());
    // Bob's second and third devices: one from a snapshot, one pulling.
    Replica &fromSnapshot = s.w.add(Role::Creator, 0, s.bob->actor.userId);
    fromSnapshot.link->snapshots = true;
    Replica &pulled = s.w.add(Role::Creator, 0, s.bob->actor.userId);
    auto first = fromSnapshot.engine->sync();
    QVERIFY2(first, qPrintable(why(first)));
    QVERIFY(first->snapshotSeq > 0);
    QVERIFY(pulled.engine->sync());

    QCOMPARE(eventIds(fromSnapshot), eventIds(pulled));
    QCOMPARE(fromSnapshot.node->projection(), pulled.node->projection());
    // Never Alice's draft, not even an event of it.
    QVERIFY(!fromSnapshot.node->items().contains(s.aliceDraft));
    auto leaked = execSql(fromSnapshot.node->db->connection(),
                          QStringLiteral("SELECT COUNT(*) FROM event_log WHERE stream = ?"),
                          {QStringLiteral("content/") + s.aliceDraft});
    QVERIFY(leaked && leaked->next());
    QCOMPARE(leaked->value(0).toInt(), 0);
    // The published item whole, with its history.
    auto item = fromSnapshot.node->content->get(fromSnapshot.actor, s.published);
    QVERIFY2(item, qPrintable(why(item)));
    QCOMPARE(item->body, QStringLiteral("first line\nsecond line, edited\n"));
    auto versions = execSql(fromSnapshot.node->db->connection(),
                            QStringLiteral("SELECT COUNT(*) FROM content_versions WHERE "
                                           "content_id = ?"),
                            {s.published});
    QVERIFY(versions && versions->next());
    QCOMPARE(versions->value(0).toInt(), 4); // created, published, edited, filed
}

void SyncSnapshot::aCutDownloadResumesWhereItStopped()
{
    Seeded s({1, 20000, 1024, 3600}); // 1 KiB parts: many of them
    QVERIFY(s.seed());
    Replica &fresh = s.w.add(Role::Editor);
    fresh.link->snapshots = true;
    int served = 0;
    fresh.link->onPart = [&](Result<QByteArray> part, qint64) -> Result<QByteArray> {
        if (++served == 3) {
            return fail(Error{ErrorCode::Unavailable, QStringLiteral("connection cut"), {}});
        }
        return part;
    };
    auto cut = fresh.engine->sync();
    QVERIFY(!cut);
    QCOMPARE(cut.error().code, ErrorCode::Unavailable);
    QCOMPARE(fresh.engine->cursor().value_or(-1), qint64(0));
    QVERIFY(eventIds(fresh).isEmpty());

    std::vector<qint64> offsets;
    fresh.link->onPart = [&](Result<QByteArray> part, qint64 offset) {
        offsets.push_back(offset);
        return part;
    };
    auto resumed = fresh.engine->sync();
    QVERIFY2(resumed, qPrintable(why(resumed)));
    QVERIFY(resumed->snapshotSeq > 0);
    QVERIFY(!offsets.empty());
    QCOMPARE(offsets.front(), qint64(2 * 1024)); // the two parts that arrived were kept
    QCOMPARE(fresh.node->projection(), s.editor->node->projection());
}

void SyncSnapshot::aDamagedDownloadIsFetchedAgain()
{
    Seeded s;
    QVERIFY(s.seed());
    Replica &fresh = s.w.add(Role::Editor);
    fresh.link->snapshots = true;
    fresh.link->onPart = [](Result<QByteArray> part, qint64) {
        if (part && part->size() > 100) {
            (*part)[100] = char((*part)[100] ^ 0x5a);
        }
        return part;
    };
    auto damaged = fresh.engine->sync();
    QVERIFY(!damaged);
    QVERIFY2(damaged.error().message.contains(QLatin1String("damaged")),
             qPrintable(damaged.error().message));
    QVERIFY(eventIds(fresh).isEmpty());
    fresh.link->onPart = {};
    auto again = fresh.engine->sync();
    QVERIFY2(again, qPrintable(why(again)));
    QVERIFY(again->snapshotSeq > 0);
    QCOMPARE(fresh.node->projection(), s.editor->node->projection());
}

void SyncSnapshot::aSnapshotReplacedMidDownloadIsAskedAgain()
{
    Seeded s({1, 0, 1024, 3600}); // made again whenever the log has moved on
    QVERIFY(s.seed());
    Replica &fresh = s.w.add(Role::Editor);
    fresh.link->snapshots = true;
    bool replaced = false;
    fresh.link->onPart = [&](Result<QByteArray> part, qint64 offset) -> Result<QByteArray> {
        if (offset > 0 && !replaced) {
            // Meanwhile the server moves on and another replica gets the newer snapshot.
            replaced = true;
            ContentChange retitle;
            retitle.title = QStringLiteral("Moved on");
            if (!s.editor->node->content->update(s.editor->actor, s.published, retitle) ||
                !s.editor->engine->sync()) {
                return fail(Error::internal(QStringLiteral("could not move on")));
            }
            Replica &other = s.w.add(Role::Editor);
            other.link->snapshots = true;
            if (!other.engine->sync()) {
                return fail(Error::internal(QStringLiteral("the other replica failed")));
            }
        }
        return part;
    };
    auto first = fresh.engine->sync();
    QVERIFY2(first, qPrintable(why(first)));
    QVERIFY(replaced);
    QCOMPARE(fresh.link->offers, 2);
    QVERIFY(first->snapshotSeq > 0);
    QCOMPARE(fresh.node->projection(), s.editor->node->projection());
}

void SyncSnapshot::aReplicaHoldingEventsNeverTakesASnapshot()
{
    Seeded s;
    QVERIFY(s.seed());
    // One that pulled already, and one with changes of its own waiting.
    s.editor->link->snapshots = true;
    Replica &writer = s.w.add(Role::Editor);
    writer.link->snapshots = true;
    QVERIFY(writer.node->content->create(writer.actor, draft(QStringLiteral("Mine"))));
    ContentChange retitle;
    retitle.title = QStringLiteral("Once more");
    QVERIFY(s.editor->node->content->update(s.editor->actor, s.published, retitle));
    QVERIFY(syncAll(s.w));
    QCOMPARE(s.editor->link->offers, 0);
    QCOMPARE(writer.link->offers, 0);
    QCOMPARE(writer.node->projection(), s.editor->node->projection());
}

void SyncSnapshot::aSnapshotOfAnotherViewIsRefused()
{
    Seeded s;
    QVERIFY(s.seed());
    Replica &fresh = s.w.add(Role::Editor);
    fresh.link->snapshots = true;
    auto first = fresh.engine->sync();
    QVERIFY(first && first->snapshotSeq > 0);
    const QString everything = QStringLiteral("all-%1").arg(first->snapshotSeq);
    QVERIFY(s.w.sync->snapshotPart(fresh.link->principal(), everything, 0));
    auto refused = s.w.sync->snapshotPart(s.bob->link->principal(), everything, 0);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::NotFound);
    for (const QString &bad : {QStringLiteral("../all-1"), QStringLiteral("all-"),
                               QStringLiteral("all-1/../../x"), QString()}) {
        auto odd = s.w.sync->snapshotPart(fresh.link->principal(), bad, 0);
        QVERIFY2(!odd && odd.error().code == ErrorCode::NotFound, qPrintable(bad));
    }
    auto outside = s.w.sync->snapshotPart(fresh.link->principal(), everything, 1 << 30);
    QVERIFY(!outside);
    QCOMPARE(outside.error().code, ErrorCode::InvalidInput);
}

void SyncSnapshot::aShortLogIsPulledNotSnapshotted()
{
    Seeded s({100000, 20000, 8 * 1024 * 1024, 3600});
    QVERIFY(s.seed());
    Replica &fresh = s.w.add(Role::Editor);
    fresh.link->snapshots = true;
    auto first = fresh.engine->sync();
    QVERIFY2(first, qPrintable(why(first)));
    QCOMPARE(fresh.link->offers, 1);
    QCOMPARE(first->snapshotSeq, qint64(0));
    QCOMPARE(fresh.node->projection(), s.editor->node->projection());
}

void SyncSnapshot::theSharedSnapshotIsMadeAheadWhenStale()
{
    Seeded s({1, 0, 8 * 1024 * 1024, 3600}); // stale as soon as the log moves on
    QVERIFY(s.seed());
    auto made = s.w.sync->refreshSnapshots();
    QVERIFY2(made, qPrintable(why(made)));
    QVERIFY(made->startsWith(QLatin1String("all-")));
    auto again = s.w.sync->refreshSnapshots();
    QVERIFY(again && again->isEmpty()); // still current: nothing to do
    // A fresh editor's replica is offered the one made ahead.
    Replica &fresh = s.w.add(Role::Editor);
    auto offer = s.w.sync->snapshotOffer(fresh.link->principal(), fresh.node->log->replicaId());
    QVERIFY2(offer, qPrintable(why(offer)));
    QCOMPARE(QString::fromStdString((*offer)["name"].get<std::string>()), *made);

    ContentChange retitle;
    retitle.title = QStringLiteral("Moved on");
    QVERIFY(s.editor->node->content->update(s.editor->actor, s.published, retitle));
    QVERIFY(s.editor->engine->sync());
    auto newer = s.w.sync->refreshSnapshots();
    QVERIFY2(newer, qPrintable(why(newer)));
    QVERIFY(!newer->isEmpty() && *newer != *made);
    const QStringList kept = QDir(s.w.dir.filePath(QStringLiteral("server-snapshots")))
                                 .entryList({QStringLiteral("all-*")});
    QVERIFY2(!kept.join(u' ').contains(*made + u'.'), qPrintable(kept.join(u' ')));
    fresh.link->snapshots = true;
    auto first = fresh.engine->sync();
    QVERIFY2(first, qPrintable(why(first)));
    QCOMPARE(QStringLiteral("all-%1").arg(first->snapshotSeq), *newer);
    QCOMPARE(fresh.node->projection(), s.editor->node->projection());
}

void SyncSnapshot::anAccountsSnapshotIsRemovedOnceItsTimeIsOver()
{
    Seeded s({1, 20000, 8 * 1024 * 1024, 0}); // an account's view lasts no time at all
    QVERIFY(s.seed());
    const QDir kept(s.w.dir.filePath(QStringLiteral("server-snapshots")));
    Replica &bobs = s.w.add(Role::Creator, 0, s.bob->actor.userId);
    bobs.link->snapshots = true;
    auto first = bobs.engine->sync();
    QVERIFY2(first && first->snapshotSeq > 0, qPrintable(why(first)));
    QVERIFY(!kept.entryList({QStringLiteral("u*")}).isEmpty());
    QTest::qWait(1100); // file times have a second's grain on some file systems
    QVERIFY(s.w.sync->refreshSnapshots());
    QCOMPARE(kept.entryList({QStringLiteral("u*")}), QStringList());
    QVERIFY(!kept.entryList({QStringLiteral("all-*")}).isEmpty()); // the shared one stays
}

// A replica whose tables differ from the snapshot's (here: an index the
// server lacks, as after a migration the server has not had yet) cannot take
// the snapshot's pages as they are; it copies the rows and keeps its indexes.
void SyncSnapshot::aReplicaOfAnotherSchemaCopiesColumnByColumn()
{
    Seeded s;
    QVERIFY(s.seed());
    Replica &fresh = s.w.add(Role::Editor);
    fresh.link->snapshots = true;
    const QSqlDatabase db = fresh.node->db->connection();
    for (const char *sql : {"CREATE INDEX later_event_log_type ON event_log (type)",
                            "CREATE INDEX later_content_items_title ON content_items (title)"}) {
        QVERIFY(execSql(db, QLatin1String(sql)));
    }
    auto first = fresh.engine->sync();
    QVERIFY2(first, qPrintable(why(first)));
    QVERIFY(first->snapshotSeq > 0);
    QVERIFY2(first->snapshotError.isEmpty(), qPrintable(first->snapshotError));
    QCOMPARE(fresh.node->projection(), s.editor->node->projection());
    QCOMPARE(eventIds(fresh), eventIds(*s.editor));
    auto verified = fresh.engine->verify();
    QVERIFY2(verified, qPrintable(why(verified)));
    QVERIFY(verified->comparable && verified->same);
    auto kept = queryValue(db, QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE name IN "
                                              "('later_event_log_type', "
                                              "'later_content_items_title')"));
    QVERIFY(kept);
    QCOMPARE(kept->toInt(), 2);
    auto integrity = queryValue(db, QStringLiteral("PRAGMA integrity_check"));
    QVERIFY(integrity);
    QCOMPARE(integrity->toString(), QStringLiteral("ok"));
}

namespace {

// Some bytes compressed as the server compresses a snapshot.
QByteArray compressed(const QByteArray &plain, const QTemporaryDir &dir)
{
    QFile in(dir.filePath(QStringLiteral("plain")));
    if (!in.open(QIODevice::WriteOnly) || in.write(plain) != plain.size()) {
        return {};
    }
    in.close();
    if (!sync::compressFile(in.fileName(), dir.filePath(QStringLiteral("plain.zst")))) {
        return {};
    }
    QFile out(dir.filePath(QStringLiteral("plain.zst")));
    return out.open(QIODevice::ReadOnly) ? out.readAll() : QByteArray();
}

// Feeds packed in parts of the given size; the unpacked bytes, or the error.
Result<QByteArray> unpack(const QByteArray &packed, qsizetype partSize, const QString &path,
                          QString *sha = nullptr)
{
    auto unpacker = sync::SnapshotUnpacker::open(path);
    if (!unpacker) {
        return fail(unpacker.error());
    }
    for (qsizetype at = 0; at < packed.size(); at += partSize) {
        if (auto ok = (*unpacker)->feed(packed.mid(at, partSize)); !ok) {
            return fail(ok.error());
        }
    }
    auto sum = (*unpacker)->finish();
    if (!sum) {
        return fail(sum.error());
    }
    if (sha) {
        *sha = *sum;
    }
    QFile out(path);
    return out.open(QIODevice::ReadOnly) ? out.readAll() : QByteArray();
}

} // namespace

void SyncSnapshot::unpackingInPartsOfAnySizeGivesTheFileAndItsHash()
{
    QTemporaryDir dir;
    QByteArray plain;
    for (int i = 0; i < 200000; ++i) { // 2.5 MB: text that compresses, and noise
        plain += QByteArray::number(i) + (i % 7 ? " a line of text\n" : "\x01\xfe\x7f\n");
    }
    const QByteArray packed = compressed(plain, dir);
    QVERIFY(!packed.isEmpty());
    QVERIFY(packed.size() < plain.size() / 2);
    const QString expected =
        QString::fromLatin1(QCryptographicHash::hash(packed, QCryptographicHash::Sha256).toHex());
    for (const qsizetype partSize :
         {qsizetype(1), qsizetype(7), qsizetype(4096), qsizetype(1 << 20), packed.size()}) {
        QString sha;
        auto out = unpack(packed, partSize, dir.filePath(QStringLiteral("out.db")), &sha);
        QVERIFY2(out, qPrintable(why(out)));
        QVERIFY2(*out == plain, qPrintable(QString::number(partSize)));
        QCOMPARE(sha, expected);
    }
}

void SyncSnapshot::aCutPaddedOrAlteredStreamIsRefused()
{
    QTemporaryDir dir;
    QByteArray plain;
    for (int i = 0; i < 30000; ++i) {
        plain += QByteArray::number(i * 7919 % 10007) + ' ';
    }
    const QByteArray packed = compressed(plain, dir);
    QVERIFY(packed.size() > 64);
    const QString out = dir.filePath(QStringLiteral("out.db"));
    QByteArray altered = packed;
    altered[packed.size() / 2] = char(altered[packed.size() / 2] ^ 0x01);
    QByteArray checksum = packed;
    checksum[packed.size() - 2] = char(checksum[packed.size() - 2] ^ 0x01); // the frame's own
    for (const auto &[name, bytes] :
         {std::pair{"cut", packed.left(packed.size() - 9)},
          std::pair{"padded", packed + QByteArray("more")}, std::pair{"altered", altered},
          std::pair{"checksum altered", checksum}, std::pair{"not zstd", QByteArray(100, 'z')}}) {
        auto unpacked = unpack(bytes, 1000, out);
        QVERIFY2(!unpacked, name);
        QVERIFY2(unpacked.error().message.contains(QLatin1String("damaged")),
                 qPrintable(unpacked.error().message));
    }
}

QTEST_GUILESS_MAIN(SyncSnapshot)
#include "tst_syncsnapshot.moc"
