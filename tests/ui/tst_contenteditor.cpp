// SPDX-License-Identifier: MIT
// The content editor over a real replica, driven as a person would: typing
// into the fields, checking categories, clicking the workflow buttons and
// answering dialogs; what the content service then holds is checked.
#include "tests/ui/uifixture.h"
#include "ui/core/messagebar.h"
#include "ui/editor/categorypicker.h"
#include "ui/editor/contenteditor.h"
#include "ui/editor/tagsedit.h"

#include <QComboBox>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QToolButton>
#include <QTreeWidget>

using namespace colophon;
using namespace colophon::test;

namespace {

QTreeWidgetItem *categoryItem(CategoryPicker *picker, const QString &name)
{
    const auto found = picker->tree()->findItems(name, Qt::MatchExactly | Qt::MatchRecursive);
    return found.isEmpty() ? nullptr : found.first();
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

Category makeCategory(UiReplica &replica, const QString &name)
{
    auto category = replica.content().createCategory(Actor::system(), {name, {}, {}, {}});
    if (!category) {
        qFatal("cannot make a category");
    }
    return *category;
}

ContentItem makeItem(UiReplica &replica, const Actor &actor, const QString &title)
{
    ContentDraft draft;
    draft.title = title;
    draft.body = QStringLiteral("Line one\nLine two\n");
    auto item = replica.content().create(actor, draft);
    if (!item) {
        qFatal("cannot make an item: %s", qPrintable(item.error().message));
    }
    return *item;
}

// Replaces a line edit's text the way a person does: select all, type.
void retype(QLineEdit *edit, const QString &text)
{
    edit->setFocus();
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Delete);
    QTest::keyClicks(edit, text);
}

Actor otherAdmin(UiReplica &replica)
{
    const QString email = QStringLiteral("other-admin@example.org");
    if (!replica.users().localActor(email)) {
        replica.addUser(email, Role::Admin);
    }
    return *replica.users().localActor(email);
}

} // namespace

class TestContentEditor : public QObject
{
    Q_OBJECT

private slots:
    void aCreatorWritesAnArticleThatAutosavesExactlyWhatWasTypedThenSubmitsIt()
    {
        UiReplica replica;
        const Actor creator = replica.signInAs(Role::Creator);
        const Category travel = makeCategory(replica, QStringLiteral("Travel"));
        const Category food = makeCategory(replica, QStringLiteral("Food"));
        makeCategory(replica, QStringLiteral("Sport"));
        ContentDraft seed;
        seed.title = QStringLiteral("Seed");
        seed.tags = {QStringLiteral("qt")};
        QVERIFY(replica.content().create(creator, seed));

        ContentEditor editor(replica.gateway(), {});
        QSignalSpy titles(&editor, &ContentEditor::titleChanged);
        QSignalSpy saves(&editor, &ContentEditor::saved);
        editor.setAutosaveDelay(150);
        editor.resize(1200, 800);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        QCOMPARE(editor.displayTitle(), QStringLiteral("Untitled"));

        auto *picker = child<CategoryPicker>(editor, "categoryPicker");
        auto *tags = child<TagsEdit>(editor, "tagsEdit");
        QTRY_VERIFY(categoryItem(picker, QStringLiteral("Food")) != nullptr);
        QTRY_VERIFY(tags->knownTags().contains(QStringLiteral("qt")));
        // The creator may not schedule publication.
        QVERIFY(!child<QWidget>(editor, "publishAtEdit")->isEnabled());
        QVERIFY(!child<QWidget>(editor, "publishAtCheck")->isEnabled());

        QTest::keyClicks(child<QLineEdit>(editor, "titleEdit"), QStringLiteral("First light"));
        auto *body = child<QPlainTextEdit>(editor, "bodyEdit");
        QTest::keyClicks(body, QStringLiteral("# Hello"));
        QTest::keyClick(body, Qt::Key_Return);
        QTest::keyClicks(body, QStringLiteral("Some *text*."));
        categoryItem(picker, QStringLiteral("Travel"))->setCheckState(0, Qt::Checked);
        categoryItem(picker, QStringLiteral("Food"))->setCheckState(0, Qt::Checked);
        tags->setFocus();
        QTest::keyClicks(tags, QStringLiteral("Qt,  Brand   New"));
        QTest::keyClick(tags, Qt::Key_Return);
        QCOMPARE(tags->text(), QStringLiteral("qt, brand new"));
        QVERIFY(editor.hasUnsavedChanges());
        QVERIFY(editor.displayTitle().endsWith(QChar(0x2022)));

        QTRY_VERIFY(!editor.itemId().isEmpty());
        QTRY_COMPARE(editor.saveState(), ContentEditor::SaveState::Saved);
        QVERIFY(editor.saveStateText().startsWith(QStringLiteral("Saved")));
        QCOMPARE(child<QLabel>(editor, "saveState")->text(), editor.saveStateText());
        QVERIFY(!editor.hasUnsavedChanges());
        QCOMPARE(saves.count(), 1);
        QCOMPARE(saves.first().first().toString(), editor.itemId());
        QCOMPARE(titles.last().first().toString(), QStringLiteral("First light"));

        auto item = replica.content().get(creator, editor.itemId());
        QVERIFY(item);
        QCOMPARE(item->title, QStringLiteral("First light"));
        QCOMPARE(item->body, QStringLiteral("# Hello\nSome *text*."));
        QCOMPARE(sorted(item->categories), sorted({travel.id, food.id}));
        QCOMPARE(sorted(item->tags), sorted({QStringLiteral("qt"), QStringLiteral("brand new")}));
        QCOMPARE(item->description, QString());
        QCOMPARE(item->type, ContentType::Article);
        QCOMPARE(item->status, ContentStatus::Draft);
        QCOMPARE(item->slug, QStringLiteral("first-light"));
        QCOMPARE(child<QLineEdit>(editor, "slugEdit")->text(), QStringLiteral("first-light"));
        QCOMPARE(item->version, 1);
        // The preview shows the body rendered.
        QTRY_VERIFY(child<QTextBrowser>(editor, "preview")
                        ->toPlainText()
                        .contains(QStringLiteral("Hello")));

        // The creator sees Submit but no Publish.
        auto *submit = child<QPushButton>(editor, "submitButton");
        QVERIFY(!submit->isHidden());
        QVERIFY(child<QPushButton>(editor, "publishButton")->isHidden());
        QVERIFY(child<QPushButton>(editor, "rejectButton")->isHidden());
        QVERIFY(child<QPushButton>(editor, "archiveButton")->isHidden());

        // A pending edit goes with the submission.
        QTest::keyClicks(child<QPlainTextEdit>(editor, "descriptionEdit"),
                         QStringLiteral("A short one"));
        editor.setAutosaveDelay(60000);
        submit->click();
        QTRY_COMPARE(replica.content().get(creator, editor.itemId())->status,
                     ContentStatus::Review);
        QTRY_COMPARE(editor.saveState(), ContentEditor::SaveState::Saved);
        QCOMPARE(replica.content().get(creator, editor.itemId())->description,
                 QStringLiteral("A short one"));
        QCOMPARE(child<QLabel>(editor, "statusLabel")->text(), QStringLiteral("In review"));
        QVERIFY(submit->isHidden());
        QVERIFY(child<QPushButton>(editor, "publishButton")->isHidden());
        // In review, a creator's item is the editors' to change.
        QVERIFY(child<QLineEdit>(editor, "titleEdit")->isReadOnly());
        QVERIFY(body->isReadOnly());
    }

    void anEditorPublishesWhatACreatorSubmitted()
    {
        UiReplica replica;
        const Actor creator = replica.signInAs(Role::Creator);
        const ContentItem item = makeItem(replica, creator, QStringLiteral("Ready"));
        ContentChange submit;
        submit.status = ContentStatus::Review;
        QVERIFY(replica.content().update(creator, item.id, submit));

        replica.signInAs(Role::Editor);
        ContentEditor editor(replica.gateway(), item.id);
        editor.show();
        auto *publish = child<QPushButton>(editor, "publishButton");
        QTRY_VERIFY(editor.isLoaded());
        QCOMPARE(child<QLineEdit>(editor, "titleEdit")->text(), QStringLiteral("Ready"));
        QVERIFY(!publish->isHidden());
        QVERIFY(!child<QPushButton>(editor, "rejectButton")->isHidden());
        QVERIFY(child<QPushButton>(editor, "submitButton")->isHidden());
        QVERIFY(child<QWidget>(editor, "publishAtCheck")->isEnabled());
        publish->click();
        QTRY_COMPARE(replica.content().get(creator, item.id)->status, ContentStatus::Published);
        QVERIFY(replica.content().get(creator, item.id)->publishedAtMs > 0);
        QTRY_VERIFY(!child<QPushButton>(editor, "unpublishButton")->isHidden());
        QVERIFY(publish->isHidden());
        QCOMPARE(editor.saveState(), ContentEditor::SaveState::Saved);
        QCOMPARE(child<QLabel>(editor, "statusLabel")->text(), QStringLiteral("Published"));
    }

    void aRejectionAsksForACommentAndSendsTheItemBack()
    {
        UiReplica replica;
        const Actor creator = replica.signInAs(Role::Creator);
        const ContentItem item = makeItem(replica, creator, QStringLiteral("Rough"));
        ContentChange submit;
        submit.status = ContentStatus::Review;
        QVERIFY(replica.content().update(creator, item.id, submit));

        replica.signInAs(Role::Editor);
        ContentEditor editor(replica.gateway(), item.id);
        editor.show();
        QTRY_VERIFY(editor.isLoaded());
        // An empty comment is refused before anything is sent.
        answerNextModal([](QWidget *dialog) {
            auto *input = qobject_cast<QInputDialog *>(dialog);
            QVERIFY(input);
            input->accept();
        });
        child<QPushButton>(editor, "rejectButton")->click();
        QVERIFY(
            child<MessageBar>(editor, "messageBar")->text().contains(QStringLiteral("comment")));
        QCOMPARE(replica.content().get(creator, item.id)->status, ContentStatus::Review);

        answerNextModal([](QWidget *dialog) {
            auto *input = qobject_cast<QInputDialog *>(dialog);
            QVERIFY(input);
            input->setTextValue(QStringLiteral("Needs a source for the second claim"));
            input->accept();
        });
        child<QPushButton>(editor, "rejectButton")->click();
        QTRY_COMPARE(replica.content().get(creator, item.id)->status, ContentStatus::Draft);
        auto versions = replica.content().versions(creator, item.id);
        QVERIFY(versions);
        QCOMPARE(QString::fromStdString(versions->back().change.value("comment", std::string())),
                 QStringLiteral("Needs a source for the second claim"));
    }

    void restoringAnOldVersionMakesItCurrentAsANewVersionAndTheDiffShowsTheField()
    {
        UiReplica replica;
        const Actor editorActor = replica.signInAs(Role::Editor);
        const ContentItem item = makeItem(replica, editorActor, QStringLiteral("First title"));

        ContentEditor editor(replica.gateway(), item.id);
        editor.setAutosaveDelay(100);
        editor.resize(1200, 800);
        editor.show();
        QTRY_VERIFY(editor.isLoaded());
        retype(child<QLineEdit>(editor, "titleEdit"), QStringLiteral("Second title"));
        QTRY_COMPARE(replica.content().get(editorActor, item.id)->title,
                     QStringLiteral("Second title"));
        QTRY_COMPARE(editor.saveState(), ContentEditor::SaveState::Saved);

        child<QTabWidget>(editor, "sideTabs")
            ->setCurrentWidget(child<QWidget>(editor, "versionsPanel"));
        auto *list = child<QListWidget>(editor, "versionsList");
        QTRY_COMPARE(list->count(), 2);
        // Newest first: the first version is the last row.
        QVERIFY(list->item(0)->text().contains(QStringLiteral("title")));
        auto *diff = child<QTextBrowser>(editor, "diffView");
        list->setCurrentRow(1);
        QTRY_VERIFY(diff->toPlainText().contains(QStringLiteral("First title")));
        child<QPushButton>(editor, "compareWithCurrent")->click();
        QTRY_VERIFY(diff->toPlainText().contains(QStringLiteral("current")));
        QVERIFY(diff->toPlainText().contains(QStringLiteral("Title")));
        QVERIFY(diff->toPlainText().contains(QStringLiteral("First title")));
        QVERIFY(diff->toPlainText().contains(QStringLiteral("Second title")));
        QVERIFY(!diff->toPlainText().contains(QStringLiteral("Body")));

        answerNextModal([](QWidget *dialog) {
            auto *box = qobject_cast<QMessageBox *>(dialog);
            QVERIFY(box);
            box->defaultButton()->click();
        });
        child<QPushButton>(editor, "restoreVersion")->click();
        QTRY_COMPARE(replica.content().get(editorActor, item.id)->title,
                     QStringLiteral("First title"));
        QTRY_COMPARE(child<QLineEdit>(editor, "titleEdit")->text(), QStringLiteral("First title"));
        QCOMPARE(replica.content().versions(editorActor, item.id)->size(), size_t(3));
        QTRY_COMPARE(list->count(), 3);
        QCOMPARE(editor.saveState(), ContentEditor::SaveState::Saved);
        QVERIFY(list->item(0)->text().contains(QStringLiteral("Restored version 1")));

        // Two versions selected: a diff between them, the body line by line.
        ContentChange bodyChange;
        bodyChange.body = QStringLiteral("Line one\nLine 2, rewritten\n");
        QVERIFY(replica.content().update(editorActor, item.id, bodyChange));
        QTRY_COMPARE(list->count(), 4);
        list->clearSelection();
        list->item(0)->setSelected(true);
        list->item(1)->setSelected(true);
        QTRY_VERIFY(diff->toPlainText().contains(QStringLiteral("Line 2, rewritten")));
        QVERIFY(diff->toPlainText().contains(QStringLiteral("Body")));
        // The removed line and the added one are marked, not only coloured.
        QVERIFY(diff->toPlainText().contains(QString::fromUtf8("\u2212 Line two")));
        QVERIFY(diff->toPlainText().contains(QStringLiteral("+ Line 2, rewritten")));
    }

    void aChangeByAnotherActorShowsTheBannerAndReloadShowsIt()
    {
        UiReplica replica;
        const Actor editorActor = replica.signInAs(Role::Editor);
        const ContentItem item = makeItem(replica, editorActor, QStringLiteral("Mine"));
        const Actor other = otherAdmin(replica);

        ContentEditor editor(replica.gateway(), item.id);
        editor.setAutosaveDelay(100);
        editor.show();
        QTRY_VERIFY(editor.isLoaded());
        auto *banner = child<QWidget>(editor, "conflictBanner");
        // The editor's own saves are not "changes elsewhere".
        QTest::keyClicks(child<QPlainTextEdit>(editor, "descriptionEdit"), QStringLiteral("Own"));
        QTRY_COMPARE(replica.content().get(editorActor, item.id)->description,
                     QStringLiteral("Own"));
        QTRY_COMPARE(editor.saveState(), ContentEditor::SaveState::Saved);
        QTest::qWait(400);
        QVERIFY(banner->isHidden());

        ContentChange change;
        change.title = QStringLiteral("Theirs");
        QVERIFY(replica.content().update(other, item.id, change));
        QTRY_VERIFY(!banner->isHidden());
        const QString text = banner->findChild<QLabel *>()->text();
        QVERIFY2(text.contains(QStringLiteral("Changed elsewhere")), qPrintable(text));
        QVERIFY(child<QPushButton>(editor, "keepMineButton")->isHidden());
        // Nothing changed under the user's hands until they ask.
        QCOMPARE(child<QLineEdit>(editor, "titleEdit")->text(), QStringLiteral("Mine"));
        child<QPushButton>(editor, "reloadButton")->click();
        QTRY_COMPARE(child<QLineEdit>(editor, "titleEdit")->text(), QStringLiteral("Theirs"));
        QVERIFY(banner->isHidden());
        QCOMPARE(editor.saveState(), ContentEditor::SaveState::Saved);
    }

    void unsavedEditsOverAChangeElsewhereAreNeverSavedSilentlyAndKeepMineRebases()
    {
        UiReplica replica;
        const Actor editorActor = replica.signInAs(Role::Editor);
        const ContentItem item = makeItem(replica, editorActor, QStringLiteral("Base"));
        const Actor other = otherAdmin(replica);

        ContentEditor editor(replica.gateway(), item.id);
        editor.setAutosaveDelay(60000);
        editor.show();
        QTRY_VERIFY(editor.isLoaded());
        QTest::keyClicks(child<QPlainTextEdit>(editor, "descriptionEdit"), QStringLiteral("Mine"));
        ContentChange change;
        change.title = QStringLiteral("Their title");
        QVERIFY(replica.content().update(other, item.id, change));
        auto *banner = child<QWidget>(editor, "conflictBanner");
        QTRY_VERIFY(!banner->isHidden());
        QVERIFY(banner->findChild<QLabel *>()->text().contains(QStringLiteral("discards")));

        // Saving now is refused (the item moved on), and said so.
        banner->hide();
        editor.save();
        QTRY_COMPARE(editor.saveState(), ContentEditor::SaveState::Failed);
        QVERIFY(!banner->isHidden());
        QCOMPARE(replica.content().get(editorActor, item.id)->description, QString());

        auto *keepMine = child<QPushButton>(editor, "keepMineButton");
        QVERIFY(!keepMine->isHidden());
        keepMine->click();
        QTRY_COMPARE(replica.content().get(editorActor, item.id)->description,
                     QStringLiteral("Mine"));
        QCOMPARE(replica.content().get(editorActor, item.id)->title, QStringLiteral("Their title"));
        QTRY_COMPARE(editor.saveState(), ContentEditor::SaveState::Saved);
        QCOMPARE(child<QLineEdit>(editor, "titleEdit")->text(), QStringLiteral("Their title"));
        QVERIFY(banner->isHidden());
    }

    void anEmptyTitleIsAnErrorNamingTheFieldAndNothingIsSaved()
    {
        UiReplica replica;
        const Actor creator = replica.signInAs(Role::Creator);
        ContentEditor editor(replica.gateway(), {});
        editor.setAutosaveDelay(50);
        editor.show();
        QTest::keyClicks(child<QPlainTextEdit>(editor, "bodyEdit"), QStringLiteral("Words first"));
        QTRY_COMPARE(editor.saveState(), ContentEditor::SaveState::Failed);
        const QString message = child<MessageBar>(editor, "messageBar")->text();
        QVERIFY2(message.contains(QStringLiteral("title")), qPrintable(message));
        QVERIFY(child<QLineEdit>(editor, "titleEdit")->property("invalid").toBool());
        QVERIFY(editor.saveStateText().contains(QStringLiteral("title")));
        QVERIFY(editor.itemId().isEmpty());
        QCOMPARE(replica.content().list(creator, {})->total, 0);
        // Typing a title clears the mark and saves.
        QTest::keyClicks(child<QLineEdit>(editor, "titleEdit"), QStringLiteral("Now titled"));
        QVERIFY(!child<QLineEdit>(editor, "titleEdit")->property("invalid").toBool());
        QTRY_VERIFY(!editor.itemId().isEmpty());
        QTRY_COMPARE(editor.saveState(), ContentEditor::SaveState::Saved);
        QVERIFY(child<MessageBar>(editor, "messageBar")->isHidden());
    }

    void invalidMetadataIsAnErrorNamingTheFieldAndNothingIsSaved()
    {
        UiReplica replica;
        const Actor creator = replica.signInAs(Role::Creator);
        const ContentItem item = makeItem(replica, creator, QStringLiteral("With metadata"));
        ContentEditor editor(replica.gateway(), item.id);
        editor.setAutosaveDelay(50);
        editor.show();
        QTRY_VERIFY(editor.isLoaded());
        child<QTabWidget>(editor, "sideTabs")
            ->setCurrentWidget(child<QWidget>(editor, "metadataEditor"));
        auto *table = child<QTableWidget>(editor, "metadataTable");
        auto *add = child<QToolButton>(editor, "addMetadataRow");
        add->click();
        table->item(0, 0)->setText(QStringLiteral("rating"));
        table->item(0, 1)->setText(QStringLiteral("4.5"));
        add->click();
        table->item(1, 0)->setText(QStringLiteral("source"));
        table->item(1, 1)->setText(QStringLiteral("the archive"));
        QTRY_COMPARE(editor.saveState(), ContentEditor::SaveState::Saved);
        auto saved = replica.content().get(creator, item.id);
        QCOMPARE(saved->metadata.value("rating", 0.0), 4.5);
        QCOMPARE(saved->metadata.value("source", std::string()), std::string("the archive"));
        const int version = saved->version;

        // A duplicate key: an error by the table and in the bar, nothing saved.
        add->click();
        table->item(2, 0)->setText(QStringLiteral("rating"));
        table->item(2, 1)->setText(QStringLiteral("5"));
        QTRY_COMPARE(editor.saveState(), ContentEditor::SaveState::Failed);
        const QString message = child<MessageBar>(editor, "messageBar")->text();
        QVERIFY2(message.contains(QStringLiteral("metadata")), qPrintable(message));
        QVERIFY(child<QLabel>(editor, "metadataError")->text().contains(QStringLiteral("rating")));
        QVERIFY(!child<QLabel>(editor, "metadataError")->isHidden());
        QVERIFY(editor.hasUnsavedChanges());
        QCOMPARE(replica.content().get(creator, item.id)->version, version);

        // A value without a key is an error too.
        table->item(2, 0)->setText(QString());
        QTRY_COMPARE(editor.saveState(), ContentEditor::SaveState::Failed);
        QCOMPARE(replica.content().get(creator, item.id)->version, version);

        // Removing the row makes it valid and saved again.
        table->selectRow(2);
        child<QToolButton>(editor, "removeMetadataRow")->click();
        QTRY_COMPARE(editor.saveState(), ContentEditor::SaveState::Saved);
        QVERIFY(child<QLabel>(editor, "metadataError")->isHidden());
    }

    void closingWithUnsavedChangesSavesThem()
    {
        UiReplica replica;
        const Actor creator = replica.signInAs(Role::Creator);
        const ContentItem item = makeItem(replica, creator, QStringLiteral("Closing"));
        ContentEditor editor(replica.gateway(), item.id);
        editor.setAutosaveDelay(60000);
        editor.show();
        QTRY_VERIFY(editor.isLoaded());
        QTest::keyClicks(child<QPlainTextEdit>(editor, "descriptionEdit"),
                         QStringLiteral("Written just before closing"));
        QVERIFY(editor.hasUnsavedChanges());
        QCOMPARE(editor.saveState(), ContentEditor::SaveState::Unsaved);
        QVERIFY(editor.maybeClose());
        QCOMPARE(replica.content().get(creator, item.id)->description,
                 QStringLiteral("Written just before closing"));
        QVERIFY(!editor.hasUnsavedChanges());
    }

    void aFailedSaveOnCloseAsksAndCancelKeepsTheEditorOpen()
    {
        UiReplica replica;
        const Actor creator = replica.signInAs(Role::Creator);
        const ContentItem item = makeItem(replica, creator, QStringLiteral("Slugged"));
        ContentEditor editor(replica.gateway(), item.id);
        editor.setAutosaveDelay(60000);
        editor.show();
        QTRY_VERIFY(editor.isLoaded());
        retype(child<QLineEdit>(editor, "slugEdit"), QStringLiteral("Not A Slug"));

        QString asked;
        answerNextModal([&asked](QWidget *dialog) {
            auto *box = qobject_cast<QMessageBox *>(dialog);
            QVERIFY(box);
            asked = box->text() + box->informativeText();
            box->findChild<QPushButton *>(QStringLiteral("cancelButton"))->click();
        });
        QVERIFY(!editor.maybeClose());
        QVERIFY2(asked.contains(QStringLiteral("slug")), qPrintable(asked));
        QVERIFY(child<MessageBar>(editor, "messageBar")->text().contains(QStringLiteral("slug")));
        QVERIFY(child<QLineEdit>(editor, "slugEdit")->property("invalid").toBool());
        QCOMPARE(editor.saveState(), ContentEditor::SaveState::Failed);

        // Save again fails again and asks again; Discard lets it close.
        answerNextModal([](QWidget *dialog) {
            dialog->findChild<QPushButton *>(QStringLiteral("saveAgainButton"))->click();
            answerNextModal([](QWidget *again) {
                again->findChild<QPushButton *>(QStringLiteral("discardButton"))->click();
            });
        });
        QVERIFY(editor.maybeClose());
        QCOMPARE(replica.content().get(creator, item.id)->slug, QStringLiteral("slugged"));
        QCOMPARE(replica.content().get(creator, item.id)->version, item.version);
    }
};

QTEST_MAIN(TestContentEditor)
#include "tst_contenteditor.moc"
