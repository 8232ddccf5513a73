// SPDX-License-Identifier: MIT
// The Taxonomies page over a real replica: categories made, moved (by drag
// and drop and by "Move to…") and deleted, tags renamed and merged, all
// through the content service, and read only for a creator.
#include "tests/ui/uifixture.h"
#include "ui/core/messagebar.h"
#include "ui/taxonomy/categorytreemodel.h"
#include "ui/taxonomy/tagsmodel.h"
#include "ui/taxonomy/taxonomypage.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QTreeView>

using namespace colophon;
using namespace colophon::test;

namespace {

Category addCategory(UiReplica &replica, const Actor &actor, const QString &name,
                     const QString &parentId = {})
{
    CategoryDraft draft;
    draft.name = name;
    draft.parentId = parentId;
    auto made = replica.content().createCategory(actor, draft);
    if (!made) {
        qFatal("cannot make %s: %s", qPrintable(name), qPrintable(made.error().message));
    }
    return *made;
}

ContentItem addItem(UiReplica &replica, const Actor &actor, const QString &title,
                    const QStringList &categories, const QStringList &tags = {})
{
    ContentDraft draft;
    draft.title = title;
    draft.categories = categories;
    draft.tags = tags;
    auto made = replica.content().create(actor, draft);
    if (!made) {
        qFatal("cannot make %s: %s", qPrintable(title), qPrintable(made.error().message));
    }
    return *made;
}

QString parentIn(UiReplica &replica, const Actor &actor, const QString &id)
{
    auto c = replica.content().category(actor, id);
    return c ? c->parentId : QStringLiteral("<gone>");
}

// Clicks a row the way a person would (with modifiers for multi-select).
void clickRow(QTreeView *view, const QModelIndex &index,
              Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    view->scrollTo(index);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, modifiers,
                      view->visualRect(index).center());
}

bool noDialogOpen()
{
    return QApplication::activeModalWidget() == nullptr;
}

} // namespace

class TestTaxonomyPage : public QObject
{
    Q_OBJECT

private slots:
    void anEditorCreatesACategoryUnderTheSelectedOne()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        const Category news = addCategory(replica, editor, QStringLiteral("News"));
        TaxonomyPage page(replica.gateway());
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto *model = page.categoryModel();
        QTRY_COMPARE(model->rowCount(), 1);
        auto *tree = child<QTreeView>(&page, "categoryTree");
        clickRow(tree, model->indexOf(news.id));
        QCOMPARE(page.currentCategoryId(), news.id);

        QString offeredParent;
        answerNextModal([&](QWidget *dialog) {
            offeredParent = child<QComboBox>(dialog, "categoryParent")->currentData().toString();
            QTest::keyClicks(child<QLineEdit>(dialog, "categoryName"), QStringLiteral("Local"));
            child<QPlainTextEdit>(dialog, "categoryDescription")
                ->setPlainText(QStringLiteral("Around town"));
            child<QPushButton>(dialog, "okButton")->click();
        });
        child<QPushButton>(&page, "newCategory")->click();
        QTRY_VERIFY(noDialogOpen());
        QCOMPARE(offeredParent, news.id);

        QTRY_COMPARE(replica.content().categories(editor)->size(), size_t(2));
        Category local;
        const auto all = replica.content().categories(editor);
        QVERIFY(all);
        for (const Category &c : *all) {
            if (c.name == QLatin1String("Local")) {
                local = c;
            }
        }
        QCOMPARE(local.parentId, news.id);
        QCOMPARE(local.description, QStringLiteral("Around town"));
        QCOMPARE(local.slug, QStringLiteral("local"));
        // The tree shows it under News, selected.
        QTRY_VERIFY(model->indexOf(local.id).isValid());
        QCOMPARE(model->indexOf(local.id).parent(), model->indexOf(news.id));
        QTRY_COMPARE(page.currentCategoryId(), local.id);
        QVERIFY(child<MessageBar>(&page, "messageBar")->text().contains(QStringLiteral("Local")));
    }

    void f2EditsTheSelectedCategoryFromTheKeyboard()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        addCategory(replica, editor, QStringLiteral("Arts"));
        const Category news = addCategory(replica, editor, QStringLiteral("News"));
        TaxonomyPage page(replica.gateway());
        page.show();
        page.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&page));
        auto *model = page.categoryModel();
        QTRY_COMPARE(model->rowCount(), 2);
        auto *tree = child<QTreeView>(&page, "categoryTree");
        clickRow(tree, model->index(0, 0));
        QTest::keyClick(tree, Qt::Key_Down);
        QCOMPARE(page.currentCategoryId(), news.id);

        QString offeredSlug;
        answerNextModal([&](QWidget *dialog) {
            offeredSlug = child<QLineEdit>(dialog, "categorySlug")->text();
            auto *name = child<QLineEdit>(dialog, "categoryName");
            name->selectAll();
            QTest::keyClicks(name, QStringLiteral("Headlines"));
            QTest::keyClick(name, Qt::Key_Return); // the default button
        });
        QTest::keyClick(tree, Qt::Key_F2);
        QTRY_COMPARE(replica.content().category(editor, news.id)->name,
                     QStringLiteral("Headlines"));
        QCOMPARE(offeredSlug, QStringLiteral("news"));
        QCOMPARE(replica.content().category(editor, news.id)->slug, QStringLiteral("news"));
        QTRY_COMPARE(model->data(model->indexOf(news.id)).toString(), QStringLiteral("Headlines"));
    }

    void aRefusedCreateKeepsTheDialogOpenWithTheReason()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        addCategory(replica, editor, QStringLiteral("News"));
        TaxonomyPage page(replica.gateway());
        page.show();
        QTRY_COMPARE(page.categoryModel()->rowCount(), 1);

        QPointer<QWidget> open;
        answerNextModal([&](QWidget *dialog) {
            open = dialog;
            QTest::keyClicks(child<QLineEdit>(dialog, "categoryName"), QStringLiteral("Other"));
            QTest::keyClicks(child<QLineEdit>(dialog, "categorySlug"), QStringLiteral("news"));
            child<QPushButton>(dialog, "okButton")->click();
        });
        child<QPushButton>(&page, "newCategory")->click();
        QTRY_VERIFY(open);
        auto *bar = child<MessageBar>(open, "dialogMessageBar");
        QTRY_VERIFY(bar->text().contains(QStringLiteral("taken")));
        QVERIFY(open->isVisible());
        QCOMPARE(child<QLineEdit>(open, "categoryName")->text(), QStringLiteral("Other"));
        QCOMPARE(replica.content().categories(editor)->size(), size_t(1));
        // Fixing the slug succeeds and closes the dialog.
        child<QLineEdit>(open, "categorySlug")->setText(QStringLiteral("other"));
        child<QPushButton>(open, "okButton")->click();
        QTRY_VERIFY(!open);
        QCOMPARE(replica.content().categories(editor)->size(), size_t(2));
    }

    void aDropReparentsTheCategoryInTheService()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        const Category arts = addCategory(replica, editor, QStringLiteral("Arts"));
        const Category books = addCategory(replica, editor, QStringLiteral("Books"));
        TaxonomyPage page(replica.gateway());
        page.show();
        auto *model = page.categoryModel();
        QTRY_COMPARE(model->rowCount(), 2);
        QVERIFY(model->flags(model->indexOf(books.id)) & Qt::ItemIsDragEnabled);
        QCOMPARE(child<QTreeView>(&page, "categoryTree")->dragDropMode(),
                 QAbstractItemView::InternalMove);

        // Books dragged onto Arts, as the view does it.
        std::unique_ptr<QMimeData> data(model->mimeData({model->indexOf(books.id)}));
        QVERIFY(data);
        QVERIFY(
            model->canDropMimeData(data.get(), Qt::MoveAction, -1, -1, model->indexOf(arts.id)));
        QVERIFY(model->dropMimeData(data.get(), Qt::MoveAction, -1, -1, model->indexOf(arts.id)));
        // The tree waits for the service.
        QVERIFY(!model->indexOf(books.id).parent().isValid());
        QTRY_COMPARE(parentIn(replica, editor, books.id), arts.id);
        QTRY_COMPARE(model->indexOf(books.id).parent(), model->indexOf(arts.id));

        // Dropped onto the empty area: back to the top level.
        data.reset(model->mimeData({model->indexOf(books.id)}));
        QVERIFY(model->dropMimeData(data.get(), Qt::MoveAction, -1, -1, QModelIndex()));
        QTRY_COMPARE(parentIn(replica, editor, books.id), QString());
        QTRY_VERIFY(!model->indexOf(books.id).parent().isValid());
        QCOMPARE(model->rowCount(), 2);
    }

    void droppingAParentOntoItsOwnChildIsRefusedAndShown()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        const Category arts = addCategory(replica, editor, QStringLiteral("Arts"));
        const Category books = addCategory(replica, editor, QStringLiteral("Books"), arts.id);
        TaxonomyPage page(replica.gateway());
        page.show();
        auto *model = page.categoryModel();
        QTRY_VERIFY(model->indexOf(books.id).isValid());

        std::unique_ptr<QMimeData> data(model->mimeData({model->indexOf(arts.id)}));
        QVERIFY(model->dropMimeData(data.get(), Qt::MoveAction, -1, -1, model->indexOf(books.id)));
        auto *bar = child<MessageBar>(&page, "messageBar");
        QTRY_VERIFY(bar->text().contains(QStringLiteral("under itself")));
        QCOMPARE(bar->kind(), MessageBar::Kind::Error);
        QVERIFY(bar->text().contains(QStringLiteral("Arts")));
        QCOMPARE(parentIn(replica, editor, arts.id), QString());
        QCOMPARE(parentIn(replica, editor, books.id), arts.id);
        QVERIFY(replica.settle());
        QVERIFY(!model->indexOf(arts.id).parent().isValid());
        QCOMPARE(model->indexOf(books.id).parent(), model->indexOf(arts.id));
    }

    void moveToOffersOnlyAllowedPlacesAndMoves()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        const Category arts = addCategory(replica, editor, QStringLiteral("Arts"));
        const Category books = addCategory(replica, editor, QStringLiteral("Books"), arts.id);
        const Category music = addCategory(replica, editor, QStringLiteral("Music"));
        TaxonomyPage page(replica.gateway());
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto *model = page.categoryModel();
        QTRY_VERIFY(model->indexOf(books.id).isValid());
        auto *moveButton = child<QPushButton>(&page, "moveCategory");
        auto *tree = child<QTreeView>(&page, "categoryTree");
        tree->clearSelection();
        QVERIFY(!moveButton->isEnabled()); // nothing selected
        clickRow(child<QTreeView>(&page, "categoryTree"), model->indexOf(arts.id));
        QVERIFY(moveButton->isEnabled());

        QStringList offered;
        answerNextModal([&](QWidget *dialog) {
            auto *parent = child<QComboBox>(dialog, "categoryParent");
            for (int i = 0; i < parent->count(); ++i) {
                offered << parent->itemData(i).toString();
            }
            parent->setCurrentIndex(parent->findData(music.id));
            child<QPushButton>(dialog, "okButton")->click();
        });
        moveButton->click();
        QTRY_COMPARE(parentIn(replica, editor, arts.id), music.id);
        QCOMPARE(offered, (QStringList{QString(), music.id})); // not itself, not Books
        QTRY_COMPARE(model->indexOf(arts.id).parent(), model->indexOf(music.id));
        QCOMPARE(model->indexOf(books.id).parent(), model->indexOf(arts.id));
    }

    void deletingACategoryWithItemsAsksForTheTargetAndMovesThem()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        const Category arts = addCategory(replica, editor, QStringLiteral("Arts"));
        const Category books = addCategory(replica, editor, QStringLiteral("Books"), arts.id);
        const Category music = addCategory(replica, editor, QStringLiteral("Music"));
        const ContentItem one = addItem(replica, editor, QStringLiteral("One"), {arts.id});
        const ContentItem two = addItem(replica, editor, QStringLiteral("Two"), {arts.id});
        TaxonomyPage page(replica.gateway());
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto *model = page.categoryModel();
        QTRY_VERIFY(model->indexOf(books.id).isValid());
        QCOMPARE(model->category(arts.id)->itemCount, 2);
        clickRow(child<QTreeView>(&page, "categoryTree"), model->indexOf(arts.id));

        bool askedForTarget = false;
        QString intro;
        answerNextModal([&](QWidget *dialog) {
            auto *target = child<QComboBox>(dialog, "reassignTo");
            askedForTarget = target->isVisible();
            for (auto *label : dialog->findChildren<QLabel *>()) {
                intro += label->text() + u'\n';
            }
            target->setCurrentIndex(target->findData(music.id));
            child<QPushButton>(dialog, "okButton")->click();
        });
        child<QPushButton>(&page, "deleteCategory")->click();
        QTRY_VERIFY(!replica.content().category(editor, arts.id));
        QVERIFY(askedForTarget);
        QVERIFY2(intro.contains(QStringLiteral("2 items")), qPrintable(intro));
        QVERIFY2(intro.contains(QStringLiteral("move up to the top level")), qPrintable(intro));
        for (const QString &id : {one.id, two.id}) {
            const QStringList categories = replica.content().get(editor, id)->categories;
            QCOMPARE(categories, QStringList{music.id});
        }
        QCOMPARE(parentIn(replica, editor, books.id), QString());
        QTRY_VERIFY(!model->indexOf(arts.id).isValid());
        QTRY_COMPARE(model->category(music.id)->itemCount, 2);
        QVERIFY(!model->indexOf(books.id).parent().isValid());
    }

    void renamingATagChangesItsItems()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        const ContentItem one =
            addItem(replica, editor, QStringLiteral("One"), {}, {QStringLiteral("trips")});
        const ContentItem two = addItem(replica, editor, QStringLiteral("Two"), {},
                                        {QStringLiteral("trips"), QStringLiteral("food")});
        TaxonomyPage page(replica.gateway());
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto *tags = page.tagsModel();
        QTRY_COMPARE(tags->rowCount(), 2);
        auto *list = child<QTreeView>(&page, "tagsList");
        auto *rename = child<QPushButton>(&page, "renameTag");
        list->clearSelection();
        QVERIFY(!rename->isEnabled()); // nothing selected
        clickRow(list, tags->index(tags->rowOf(QStringLiteral("trips")), 0));
        QVERIFY(rename->isEnabled());

        QString offered;
        answerNextModal([&](QWidget *dialog) {
            auto *name = child<QLineEdit>(dialog, "tagName");
            offered = name->text();
            name->clear();
            QTest::keyClicks(name, QStringLiteral("Travel"));
            child<QPushButton>(dialog, "okButton")->click();
        });
        rename->click();
        QTRY_VERIFY(noDialogOpen());
        QCOMPARE(offered, QStringLiteral("trips"));
        QTRY_COMPARE(replica.content().get(editor, one.id)->tags,
                     QStringList{QStringLiteral("travel")});
        QVERIFY(replica.content().get(editor, two.id)->tags.contains(QStringLiteral("travel")));
        QVERIFY(!replica.content().get(editor, two.id)->tags.contains(QStringLiteral("trips")));
        auto *bar = child<MessageBar>(&page, "tagMessageBar");
        QTRY_VERIFY(bar->text().contains(QStringLiteral("on 2 items")));
        QTRY_COMPARE(tags->rowOf(QStringLiteral("trips")), -1);
        QCOMPARE(tags->countOf(QStringLiteral("travel")), 2);
        QCOMPARE(page.selectedTags(), QStringList{QStringLiteral("travel")});
    }

    void mergingTagsChangesTheItemsAsTheServiceReports()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        const ContentItem one =
            addItem(replica, editor, QStringLiteral("One"), {}, {QStringLiteral("photo")});
        const ContentItem two =
            addItem(replica, editor, QStringLiteral("Two"), {}, {QStringLiteral("photo")});
        const ContentItem three =
            addItem(replica, editor, QStringLiteral("Three"), {}, {QStringLiteral("photos")});
        const ContentItem four =
            addItem(replica, editor, QStringLiteral("Four"), {}, {QStringLiteral("pics")});
        TaxonomyPage page(replica.gateway());
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto *tags = page.tagsModel();
        QTRY_COMPARE(tags->rowCount(), 3);
        auto *list = child<QTreeView>(&page, "tagsList");
        auto *merge = child<QPushButton>(&page, "mergeTags");
        clickRow(list, tags->index(tags->rowOf(QStringLiteral("photos")), 0));
        QVERIFY(!merge->isEnabled()); // one tag: nothing to merge
        clickRow(list, tags->index(tags->rowOf(QStringLiteral("photo")), 0), Qt::ControlModifier);
        clickRow(list, tags->index(tags->rowOf(QStringLiteral("pics")), 0), Qt::ControlModifier);
        QCOMPARE(page.selectedTags().size(), 3);
        QVERIFY(merge->isEnabled());

        QString offered;
        answerNextModal([&](QWidget *dialog) {
            offered = child<QLineEdit>(dialog, "tagName")->text();
            child<QPushButton>(dialog, "okButton")->click();
        });
        merge->click();
        QTRY_VERIFY(noDialogOpen());
        QCOMPARE(offered, QStringLiteral("photo")); // the most used
        for (const QString &id : {one.id, two.id, three.id, four.id}) {
            QTRY_COMPARE(replica.content().get(editor, id)->tags,
                         QStringList{QStringLiteral("photo")});
        }
        auto *bar = child<MessageBar>(&page, "tagMessageBar");
        QTRY_VERIFY2(bar->text().contains(QStringLiteral("on 2 items")), qPrintable(bar->text()));
        QTRY_COMPARE(tags->rowCount(), 1);
        QCOMPARE(tags->countOf(QStringLiteral("photo")), 4);
    }

    void filteringShowsTheTagsWithThePrefix()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        addItem(replica, editor, QStringLiteral("One"), {},
                {QStringLiteral("travel"), QStringLiteral("trains"), QStringLiteral("food")});
        TaxonomyPage page(replica.gateway());
        page.show();
        auto *tags = page.tagsModel();
        QTRY_COMPARE(tags->rowCount(), 3);
        QTest::keyClicks(child<QLineEdit>(&page, "tagFilter"), QStringLiteral("tr"));
        QTRY_COMPARE(tags->rowCount(), 2);
        QCOMPARE(tags->rowOf(QStringLiteral("food")), -1);
        QTest::keyClicks(child<QLineEdit>(&page, "tagFilter"), QStringLiteral("x"));
        QTRY_COMPARE(tags->rowCount(), 0);
        QVERIFY(child<QLabel>(&page, "tagSummary")->text().contains(QStringLiteral("trx")));
    }

    void aCreatorSeesButCannotChange()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        const Category arts = addCategory(replica, editor, QStringLiteral("Arts"));
        const Category books = addCategory(replica, editor, QStringLiteral("Books"));
        addItem(replica, editor, QStringLiteral("One"), {}, {QStringLiteral("a")});
        const Actor creator = replica.signInAs(Role::Creator);
        addItem(replica, creator, QStringLiteral("Mine"), {}, {QStringLiteral("b")});
        TaxonomyPage page(replica.gateway());
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto *model = page.categoryModel();
        QTRY_COMPARE(model->rowCount(), 2);
        QTRY_COMPARE(page.tagsModel()->rowCount(), 1); // a creator sees their own draft's tag
        clickRow(child<QTreeView>(&page, "categoryTree"), model->indexOf(arts.id));
        QCOMPARE(page.currentCategoryId(), arts.id);
        clickRow(child<QTreeView>(&page, "tagsList"), page.tagsModel()->index(0, 0));

        for (const char *name :
             {"newCategory", "editCategory", "moveCategory", "deleteCategory", "renameTag"}) {
            auto *button = child<QPushButton>(&page, name);
            QVERIFY2(!button->isEnabled(), name);
            QVERIFY2(button->toolTip().contains(QStringLiteral("taxonomy.manage")), name);
        }
        QVERIFY(child<QLabel>(&page, "readOnlyNote")->isVisible());
        QCOMPARE(child<QTreeView>(&page, "categoryTree")->dragDropMode(),
                 QAbstractItemView::NoDragDrop);
        QVERIFY(!(model->flags(model->indexOf(books.id)) & Qt::ItemIsDragEnabled));

        std::unique_ptr<QMimeData> data(model->mimeData({model->indexOf(books.id)}));
        QVERIFY(
            !model->canDropMimeData(data.get(), Qt::MoveAction, -1, -1, model->indexOf(arts.id)));
        QVERIFY(!model->dropMimeData(data.get(), Qt::MoveAction, -1, -1, model->indexOf(arts.id)));
        auto *bar = child<MessageBar>(&page, "messageBar");
        QVERIFY(bar->text().contains(QStringLiteral("taxonomy.manage")));
        QVERIFY(replica.settle());
        QCOMPARE(parentIn(replica, creator, books.id), QString());
        QVERIFY(!model->indexOf(books.id).parent().isValid());

        // Asked directly, the service refuses too, and the page says so.
        page.requestMove({books.id}, arts.id);
        QTRY_VERIFY(bar->text().contains(QStringLiteral("Could not move")));
        QCOMPARE(bar->kind(), MessageBar::Kind::Error);
        QCOMPARE(parentIn(replica, creator, books.id), QString());
    }

    void committedEventsElsewhereRefreshThePage()
    {
        UiReplica replica;
        const Actor editor = replica.signInAs(Role::Editor);
        TaxonomyPage page(replica.gateway());
        page.show();
        QSignalSpy loaded(&page, &TaxonomyPage::categoriesLoaded);
        QTRY_VERIFY(!loaded.isEmpty());
        QCOMPARE(page.categoryModel()->rowCount(), 0);
        // Another window (the service directly) makes a category and an item.
        const Category made = addCategory(replica, editor, QStringLiteral("Elsewhere"));
        addItem(replica, editor, QStringLiteral("Tagged"), {made.id}, {QStringLiteral("news")});
        QTRY_VERIFY(page.categoryModel()->indexOf(made.id).isValid());
        QTRY_COMPARE(page.categoryModel()->category(made.id)->itemCount, 1);
        QTRY_COMPARE(page.tagsModel()->countOf(QStringLiteral("news")), 1);
    }
};

QTEST_MAIN(TestTaxonomyPage)
#include "tst_taxonomypage.moc"
