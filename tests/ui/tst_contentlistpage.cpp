// SPDX-License-Identifier: MIT
// The content section driven the way a person would: typing a search,
// clicking headers, selecting rows and running bulk actions through their
// confirmations, against a real replica.
#include "tests/ui/uifixture.h"
#include "ui/content/contentlistmodel.h"
#include "ui/content/contentlistpage.h"
#include "ui/core/messagebar.h"

#include <QAction>
#include <QComboBox>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>

using namespace colophon;
using namespace colophon::test;

namespace {

ContentItem make(UiReplica &replica, const Actor &actor, const QString &title,
                 std::optional<ContentStatus> status = std::nullopt)
{
    ContentDraft draft;
    draft.title = title;
    auto item = replica.content().create(actor, draft);
    if (!item) {
        qFatal("cannot create %s", qPrintable(title));
    }
    if (status) {
        ContentChange change;
        change.status = *status;
        auto moved = replica.content().update(Actor::system(), item->id, change);
        if (!moved) {
            qFatal("cannot move %s: %s", qPrintable(title), qPrintable(moved.error().message));
        }
        return *moved;
    }
    return *item;
}

ContentStatus statusOf(UiReplica &replica, const Actor &actor, const QString &id)
{
    auto item = replica.content().get(actor, id);
    return item ? item->status : ContentStatus::Draft;
}

// Clicks a row's cell as a person would, with Ctrl to add to the selection.
void clickRow(QTableView *view, int row, Qt::KeyboardModifiers modifiers = {})
{
    const QRect rect = view->visualRect(view->model()->index(row, ContentListModel::Title));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, modifiers, rect.center());
}

int rowOfTitle(ContentListPage &page, const QString &title)
{
    for (int row = 0; row < page.model()->rowCount(); ++row) {
        auto item = page.model()->itemAt(row);
        if (item && item->title == title) {
            return row;
        }
    }
    return -1;
}

QPushButton *undoButton(MessageBar *bar)
{
    for (auto *button : bar->findChildren<QPushButton *>()) {
        if (button->isVisible()) {
            return button;
        }
    }
    return nullptr;
}

// Answers the next message box with its accepting button, keeping its text.
void acceptNextBox(QString *text)
{
    answerNextModal([text](QWidget *dialog) {
        auto *box = qobject_cast<QMessageBox *>(dialog);
        QVERIFY(box);
        *text = box->text() + u'\n' + box->informativeText();
        box->button(QMessageBox::Yes)->click();
    });
}

struct Shown
{
    explicit Shown(UiReplica &replica) : page(replica.gateway())
    {
        page.resize(1100, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.pageShown();
        // Let the events of the seeding arrive and their refresh finish.
        QTest::qWait(400);
        replica.settle();
    }
    ContentListPage page;
};

} // namespace

class TestContentListPage : public QObject
{
    Q_OBJECT

private slots:
    void typingInTheSearchFieldFiltersAfterAPause()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        for (int i = 0; i < 12; ++i) {
            make(replica, editor,
                 (i % 3 == 0 ? QStringLiteral("Harbour walk %1") : QStringLiteral("Other %1"))
                     .arg(i));
        }
        Shown shown(replica);
        ContentListPage &page = shown.page;
        auto *table = page.findChild<QTableView *>(QStringLiteral("contentTable"));
        auto *count = page.findChild<QLabel *>(QStringLiteral("itemCount"));
        QVERIFY(table && count);
        QTRY_COMPARE(table->model()->rowCount(), 12);
        QCOMPARE(count->text(), QStringLiteral("12 items"));

        auto *search = page.findChild<QLineEdit *>(QStringLiteral("searchField"));
        QVERIFY(search);
        page.focusSearch();
        QVERIFY(search->hasFocus());
        const int fetched = page.model()->pagesFetched();
        QTest::keyClicks(search, QStringLiteral("harb"));
        // Debounced: nothing asked while typing.
        QCOMPARE(page.model()->pagesFetched(), fetched);
        QCOMPARE(page.model()->filter().text, QString());
        QTRY_COMPARE(page.model()->filter().text, QStringLiteral("harb"));
        QCOMPARE(page.model()->pagesFetched(), fetched + 1);
        QVERIFY(replica.settle());

        ContentQuery query;
        query.text = QStringLiteral("harb");
        auto expected = replica.content().list(editor, query);
        QVERIFY(expected);
        QCOMPARE(expected->total, qint64(4));
        QTRY_COMPARE(table->model()->rowCount(), 4);
        for (int row = 0; row < 4; ++row) {
            QCOMPARE(page.model()->itemAt(row)->id, expected->items[row].id);
        }
        QCOMPARE(count->text(), QStringLiteral("4 items"));

        auto *clear = page.findChild<QPushButton *>(QStringLiteral("clearFilters"));
        QVERIFY(clear && clear->isEnabled());
        clear->click();
        QVERIFY(search->text().isEmpty());
        QTRY_COMPARE(table->model()->rowCount(), 12);
        QVERIFY(!clear->isEnabled());
    }

    void theStatusAndTypeFiltersAskTheService()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        make(replica, editor, QStringLiteral("Draft one"));
        const ContentItem live =
            make(replica, editor, QStringLiteral("Live"), ContentStatus::Published);
        ContentDraft video;
        video.title = QStringLiteral("A video");
        video.type = ContentType::Video;
        QVERIFY(replica.content().create(editor, video));
        Shown shown(replica);
        ContentListPage &page = shown.page;
        QTRY_COMPARE(page.model()->rowCount(), 3);

        auto *status = page.findChild<QComboBox *>(QStringLiteral("statusFilter"));
        QVERIFY(status);
        // Each entry carries the service's name of its status.
        QCOMPARE(status->findData(QStringLiteral("published")),
                 status->findText(QStringLiteral("Published")));
        status->setCurrentIndex(status->findText(QStringLiteral("Published")));
        QTRY_COMPARE(page.model()->rowCount(), 1);
        QVERIFY(replica.settle());
        QCOMPARE(page.model()->itemAt(0)->id, live.id);

        status->setCurrentIndex(0);
        auto *type = page.findChild<QComboBox *>(QStringLiteral("typeFilter"));
        QVERIFY(type);
        type->setCurrentIndex(type->findText(QStringLiteral("Video")));
        QTRY_COMPARE(page.model()->rowCount(), 1);
        QVERIFY(replica.settle());
        QCOMPARE(page.model()->itemAt(0)->title, QStringLiteral("A video"));
    }

    void clickingAHeaderSortsThroughTheService()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        for (const char *title : {"banana", "Cherry", "apple", "date"}) {
            make(replica, editor, QLatin1String(title));
        }
        Shown shown(replica);
        ContentListPage &page = shown.page;
        QTableView *table = page.view();
        QTRY_COMPARE(table->model()->rowCount(), 4);
        QHeaderView *header = table->horizontalHeader();
        const auto clickHeader = [&](int section) {
            const QPoint at(header->sectionViewportPosition(section) + 10, header->height() / 2);
            QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, at);
        };
        const auto titles = [&] {
            QStringList out;
            for (int row = 0; row < table->model()->rowCount(); ++row) {
                out << table->model()->index(row, ContentListModel::Title).data().toString();
            }
            return out;
        };

        clickHeader(ContentListModel::Title);
        QCOMPARE(page.model()->sortColumn(), int(ContentListModel::Title));
        QCOMPARE(page.model()->sortOrder(), Qt::AscendingOrder);
        QVERIFY(replica.settle());
        QCOMPARE(titles(), QStringList({"apple", "banana", "Cherry", "date"}));

        clickHeader(ContentListModel::Title);
        QCOMPARE(page.model()->sortOrder(), Qt::DescendingOrder);
        QVERIFY(replica.settle());
        QCOMPARE(titles(), QStringList({"date", "Cherry", "banana", "apple"}));

        // The service has no author sort: the order stays, and the page says so.
        clickHeader(ContentListModel::Author);
        QCOMPARE(page.model()->sortColumn(), int(ContentListModel::Title));
        QCOMPARE(header->sortIndicatorSection(), int(ContentListModel::Title));
        auto *bar = page.findChild<MessageBar *>(QStringLiteral("messageBar"));
        QVERIFY(bar && bar->text().contains(QStringLiteral("cannot be sorted by author")));
    }

    void aCreatorMaySubmitButNotPublishOrArchive()
    {
        UiReplica replica;
        const Actor creator = replica.signInAs(Role::Creator);
        make(replica, creator, QStringLiteral("My draft"));
        Shown shown(replica);
        ContentListPage &page = shown.page;
        QTRY_COMPARE(page.model()->rowCount(), 1);
        QVERIFY(replica.settle());
        auto *submit = page.findChild<QAction *>(QStringLiteral("bulkSubmit"));
        auto *publish = page.findChild<QAction *>(QStringLiteral("bulkPublish"));
        auto *archive = page.findChild<QAction *>(QStringLiteral("bulkArchive"));
        auto *tag = page.findChild<QAction *>(QStringLiteral("bulkTag"));
        auto *remove = page.findChild<QAction *>(QStringLiteral("bulkDelete"));
        QVERIFY(submit && publish && archive && tag && remove);
        // Nothing selected: nothing to do.
        QVERIFY(!submit->isEnabled());
        clickRow(page.view(), 0);
        QVERIFY(submit->isEnabled());
        QVERIFY(tag->isEnabled());
        QVERIFY(remove->isEnabled());
        QVERIFY(!publish->isEnabled());
        QVERIFY(!archive->isEnabled());
        QVERIFY(publish->toolTip().contains(QStringLiteral("not permitted")));

        QString asked;
        acceptNextBox(&asked);
        submit->trigger();
        QVERIFY(asked.contains(QStringLiteral("“My draft”")));
        auto *bar = page.messageBar();
        QTRY_COMPARE(bar->text(), QStringLiteral("Submitted 1 item for review."));
        QCOMPARE(statusOf(replica, creator, page.model()->itemAt(0)->id), ContentStatus::Review);
        // Moving it back from review is a rejection, which creators may not make.
        QVERIFY(!undoButton(bar));
    }

    void anEditorPublishesThreeDraftsAndUndoes()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        QStringList ids;
        for (int i = 0; i < 3; ++i) {
            ids << make(replica, editor, QStringLiteral("Draft %1").arg(i)).id;
        }
        make(replica, editor, QStringLiteral("Already out"), ContentStatus::Published);
        Shown shown(replica);
        ContentListPage &page = shown.page;
        QTRY_COMPARE(page.model()->rowCount(), 4);

        auto *status = page.findChild<QComboBox *>(QStringLiteral("statusFilter"));
        status->setCurrentIndex(status->findText(QStringLiteral("Draft")));
        QTRY_COMPARE(page.model()->rowCount(), 3);
        QVERIFY(replica.settle());
        page.view()->setFocus();
        QTest::keyClick(page.view(), Qt::Key_A, Qt::ControlModifier);
        QCOMPARE(page.selectedIds().size(), 3);

        auto *publish = page.findChild<QAction *>(QStringLiteral("bulkPublish"));
        QVERIFY(publish->isEnabled());
        QString asked;
        acceptNextBox(&asked);
        publish->trigger();
        QVERIFY(asked.contains(QStringLiteral("Publish 3 items?")));
        auto *bar = page.messageBar();
        QTRY_COMPARE(bar->text(), QStringLiteral("Published 3 items."));
        for (const QString &id : ids) {
            QCOMPARE(statusOf(replica, editor, id), ContentStatus::Published);
        }
        // The drafts filter no longer lists them.
        QTRY_COMPARE(page.model()->rowCount(), 0);

        QPushButton *undo = undoButton(bar);
        QVERIFY(undo);
        undo->click();
        QTRY_COMPARE(bar->text(), QStringLiteral("Moved 3 items back."));
        for (const QString &id : ids) {
            QCOMPARE(statusOf(replica, editor, id), ContentStatus::Draft);
        }
        QTRY_COMPARE(page.model()->rowCount(), 3);
    }

    void aFailureForSomeItemsIsReportedWithTheirTitles()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        make(replica, editor, QStringLiteral("Fresh one"));
        make(replica, editor, QStringLiteral("Fresh two"));
        make(replica, editor, QStringLiteral("Old news"), ContentStatus::Archived);
        Shown shown(replica);
        ContentListPage &page = shown.page;
        QTRY_COMPARE(page.model()->rowCount(), 3);
        QVERIFY(replica.settle());
        page.view()->setFocus();
        QTest::keyClick(page.view(), Qt::Key_A, Qt::ControlModifier);

        QString asked;
        acceptNextBox(&asked);
        page.findChild<QAction *>(QStringLiteral("bulkSubmit"))->trigger();
        QVERIFY(asked.contains(QStringLiteral("3 items")));
        auto *bar = page.messageBar();
        QTRY_VERIFY(bar->text().startsWith(
            QStringLiteral("Submitted 2 of 3 for review; 1 could not be: ")));
        QVERIFY(bar->text().contains(QStringLiteral("“Old news” — ")));
        QVERIFY(bar->text().contains(QStringLiteral("archived")));
        QCOMPARE(bar->kind(), MessageBar::Kind::Warning);
        QCOMPARE(statusOf(replica, editor, page.model()->itemAt(rowOfTitle(page, "Old news"))->id),
                 ContentStatus::Archived);
    }

    void addingATagAsksForItAndUndoRemovesIt()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        const ContentItem a = make(replica, editor, QStringLiteral("First"));
        const ContentItem b = make(replica, editor, QStringLiteral("Second"));
        Shown shown(replica);
        ContentListPage &page = shown.page;
        QTRY_COMPARE(page.model()->rowCount(), 2);
        QVERIFY(replica.settle());
        clickRow(page.view(), 0);
        clickRow(page.view(), 1, Qt::ControlModifier);
        QCOMPARE(page.selectedIds().size(), 2);

        answerNextModal([](QWidget *dialog) {
            auto *input = qobject_cast<QInputDialog *>(dialog);
            QVERIFY(input);
            QVERIFY(input->labelText().contains(QStringLiteral("2 items")));
            input->setTextValue(QStringLiteral("  Long Reads "));
            input->accept();
        });
        page.findChild<QAction *>(QStringLiteral("bulkTag"))->trigger();
        auto *bar = page.messageBar();
        QTRY_COMPARE(bar->text(), QStringLiteral("Tagged 2 items “long reads”."));
        QVERIFY(replica.content().get(editor, a.id)->tags.contains(QStringLiteral("long reads")));
        QVERIFY(replica.content().get(editor, b.id)->tags.contains(QStringLiteral("long reads")));
        // The list reloads (the items moved up, by their update time); the
        // same items are selected again.
        QTRY_VERIFY(page.selectedIds().size() == 2 && page.selectedIds().contains(a.id) &&
                    page.selectedIds().contains(b.id));

        undoButton(bar)->click();
        QTRY_COMPARE(bar->text(), QStringLiteral("Removed “long reads” from 2 items."));
        QVERIFY(replica.content().get(editor, a.id)->tags.isEmpty());
        QVERIFY(replica.content().get(editor, b.id)->tags.isEmpty());
    }

    void deleteAsksThenDeletes()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        const ContentItem keep = make(replica, editor, QStringLiteral("Keep me"));
        make(replica, editor, QStringLiteral("Drop one"));
        make(replica, editor, QStringLiteral("Drop two"));
        Shown shown(replica);
        ContentListPage &page = shown.page;
        QTRY_COMPARE(page.model()->rowCount(), 3);
        QVERIFY(replica.settle());
        clickRow(page.view(), rowOfTitle(page, QStringLiteral("Drop one")));
        clickRow(page.view(), rowOfTitle(page, QStringLiteral("Drop two")), Qt::ControlModifier);
        const QStringList doomed = page.selectedIds();
        QCOMPARE(doomed.size(), 2);

        // Cancelling deletes nothing.
        answerNextModal([](QWidget *dialog) {
            qobject_cast<QMessageBox *>(dialog)->button(QMessageBox::Cancel)->click();
        });
        page.findChild<QAction *>(QStringLiteral("bulkDelete"))->trigger();
        QVERIFY(replica.settle());
        QVERIFY(replica.content().get(editor, doomed.front()));

        QString asked;
        acceptNextBox(&asked);
        page.activateWindow();
        page.view()->setFocus();
        QTRY_VERIFY(page.view()->hasFocus());
        QTest::keyClick(page.view(), Qt::Key_Delete);
        QVERIFY(asked.contains(QStringLiteral("Delete 2 items?")));
        QVERIFY(asked.contains(QStringLiteral("cannot be undone")));
        auto *bar = page.messageBar();
        QTRY_COMPARE(bar->text(), QStringLiteral("Deleted 2 items."));
        QVERIFY(!undoButton(bar));
        for (const QString &id : doomed) {
            QCOMPARE(replica.content().get(editor, id).error().code, ErrorCode::NotFound);
        }
        QTRY_COMPARE(page.model()->rowCount(), 1);
        QVERIFY(replica.settle());
        QCOMPARE(page.model()->itemAt(0)->id, keep.id);
    }

    void enterOpensTheCurrentItem()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        const ContentItem item = make(replica, editor, QStringLiteral("Open me"));
        Shown shown(replica);
        ContentListPage &page = shown.page;
        QTRY_COMPARE(page.model()->rowCount(), 1);
        QVERIFY(replica.settle());
        QSignalSpy opened(&page, &ContentListPage::openRequested);
        QSignalSpy created(&page, &ContentListPage::newRequested);
        clickRow(page.view(), 0);
        QTest::keyClick(page.view(), Qt::Key_Return);
        QCOMPARE(opened.count(), 1);
        QCOMPARE(opened.at(0).at(0).toString(), item.id);
        page.createNew();
        QCOMPARE(created.count(), 1);
    }
};

QTEST_MAIN(TestContentListPage)
#include "tst_contentlistpage.moc"
