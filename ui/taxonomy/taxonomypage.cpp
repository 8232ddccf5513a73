// SPDX-License-Identifier: MIT
// The Taxonomies section: category tree and tags over the content service.
#include "ui/taxonomy/taxonomypage.h"

#include "backend/events/event.h"
#include "services/content/contentservice.h"
#include "ui/core/messagebar.h"
#include "ui/core/servicegateway.h"
#include "ui/taxonomy/categorytreemodel.h"
#include "ui/taxonomy/tagsmodel.h"
#include "ui/taxonomy/taxonomydialogs.h"
#include "ui/taxonomy/taxonomytext.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>
#include <algorithm>

namespace colophon {

namespace {

QAction *makeAction(QWidget *owner, const QString &text, const QKeySequence &shortcut,
                    Qt::ShortcutContext context)
{
    auto *action = new QAction(text, owner);
    action->setShortcut(shortcut);
    action->setShortcutContext(context);
    owner->addAction(action);
    return action;
}

QPushButton *makeButton(QWidget *parent, const QString &objectName, const QString &text,
                        const QString &accessibleName, QAction *action)
{
    auto *button = new QPushButton(text, parent);
    button->setObjectName(objectName);
    button->setAccessibleName(accessibleName);
    QObject::connect(button, &QPushButton::clicked, action, &QAction::trigger);
    return button;
}

QString quoted(const QStringList &names)
{
    QStringList out;
    for (const QString &n : names) {
        out << QStringLiteral("“%1”").arg(n);
    }
    return out.join(QStringLiteral(", "));
}

// Sets an action and its button alike; the tooltip says why when disabled.
void enable(QAction *action, QPushButton *button, bool enabled, const QString &tip,
            const QString &whyNot)
{
    action->setEnabled(enabled);
    button->setEnabled(enabled);
    const QString keys = action->shortcut().toString(QKeySequence::NativeText);
    const QString text = enabled || whyNot.isEmpty() ? tip : whyNot;
    button->setToolTip(keys.isEmpty() ? text : QStringLiteral("%1 (%2)").arg(text, keys));
    action->setToolTip(button->toolTip());
}

} // namespace

TaxonomyPage::TaxonomyPage(ServiceGateway &gateway, QWidget *parent)
    : ConsolePage(parent), m_gateway(gateway), m_categories(new CategoryTreeModel(this)),
      m_tags(new TagsModel(this)), m_refresh(new QTimer(this)), m_filterTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("taxonomyPage"));
    setAccessibleName(tr("Taxonomies"));

    m_readOnlyNote = new QLabel(this);
    m_readOnlyNote->setObjectName(QStringLiteral("readOnlyNote"));
    m_readOnlyNote->setWordWrap(true);
    m_readOnlyNote->setStyleSheet(QStringLiteral(
        "#readOnlyNote { background: rgba(52,120,246,0.12); border-radius: 4px; padding: 6px; }"));
    m_readOnlyNote->setVisible(false);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setChildrenCollapsible(false);
    auto *categoryPane = new QWidget(splitter);
    auto *tagPane = new QWidget(splitter);
    buildCategoryPane(categoryPane);
    buildTagPane(tagPane);
    splitter->addWidget(categoryPane);
    splitter->addWidget(tagPane);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_readOnlyNote);
    layout->addWidget(splitter, 1);

    m_refresh->setSingleShot(true);
    m_refresh->setInterval(150);
    connect(m_refresh, &QTimer::timeout, this, &TaxonomyPage::reload);
    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(200);
    connect(m_filterTimer, &QTimer::timeout, this, &TaxonomyPage::loadTags);

    connect(&m_gateway, &ServiceGateway::eventCommitted, this, &TaxonomyPage::onEvent);
    connect(&m_gateway, &ServiceGateway::signedInChanged, this, [this] {
        m_categoryBar->clear();
        m_tagBar->clear();
        updateActions();
        reload();
    });
    connect(m_categories, &CategoryTreeModel::moveRequested, this, &TaxonomyPage::requestMove);
    connect(m_categories, &CategoryTreeModel::dropRefused, this, [this](const QString &reason) {
        m_categoryBar->showMessage(MessageBar::Kind::Warning, reason);
    });

    updateActions();
    reload();
}

TaxonomyPage::~TaxonomyPage() = default;

void TaxonomyPage::buildCategoryPane(QWidget *pane)
{
    auto *title = new QLabel(tr("&Categories"), pane);
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);

    m_categoryBar = new MessageBar(pane); // object name "messageBar"

    m_tree = new QTreeView(pane);
    m_tree->setObjectName(QStringLiteral("categoryTree"));
    m_tree->setAccessibleName(tr("Categories"));
    m_tree->setAccessibleDescription(
        tr("Categories as a tree; drag one onto another to move it under it"));
    m_tree->setModel(m_categories);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tree->setUniformRowHeights(true);
    m_tree->setAllColumnsShowFocus(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setDropIndicatorShown(true);
    m_tree->setDefaultDropAction(Qt::MoveAction);
    m_tree->setDragDropOverwriteMode(false);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(CategoryTreeModel::NameColumn, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(CategoryTreeModel::SlugColumn,
                                           QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(CategoryTreeModel::ItemsColumn,
                                           QHeaderView::ResizeToContents);
    m_tree->setContextMenuPolicy(Qt::ActionsContextMenu);
    title->setBuddy(m_tree);

    m_newAction = makeAction(this, tr("&New Category…"), QKeySequence(tr("Ctrl+Shift+N")),
                             Qt::WidgetWithChildrenShortcut);
    m_editAction = makeAction(m_tree, tr("Ed&it…"), QKeySequence(Qt::Key_F2), Qt::WidgetShortcut);
    m_moveAction =
        makeAction(m_tree, tr("&Move To…"), QKeySequence(tr("Ctrl+M")), Qt::WidgetShortcut);
    m_deleteAction =
        makeAction(m_tree, tr("&Delete…"), QKeySequence(QKeySequence::Delete), Qt::WidgetShortcut);
    m_tree->insertAction(m_editAction, m_newAction);
    connect(m_newAction, &QAction::triggered, this, &TaxonomyPage::newCategory);
    connect(m_editAction, &QAction::triggered, this, &TaxonomyPage::editCategory);
    connect(m_moveAction, &QAction::triggered, this, &TaxonomyPage::moveCategory);
    connect(m_deleteAction, &QAction::triggered, this, &TaxonomyPage::deleteCategory);

    m_newButton = makeButton(pane, QStringLiteral("newCategory"), tr("&New Category…"),
                             tr("New category"), m_newAction);
    m_editButton = makeButton(pane, QStringLiteral("editCategory"), tr("Ed&it…"),
                              tr("Edit category"), m_editAction);
    m_moveButton = makeButton(pane, QStringLiteral("moveCategory"), tr("&Move To…"),
                              tr("Move category to"), m_moveAction);
    m_deleteButton = makeButton(pane, QStringLiteral("deleteCategory"), tr("&Delete…"),
                                tr("Delete category"), m_deleteAction);

    connect(m_tree->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &TaxonomyPage::updateActions);
    // Focus arriving by keyboard makes a row current without selecting it:
    // select it, so what the focus frame shows is what the buttons act on.
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid() && !m_tree->selectionModel()->hasSelection()) {
                    m_tree->selectionModel()->select(current, QItemSelectionModel::ClearAndSelect |
                                                                  QItemSelectionModel::Rows);
                }
            });
    connect(m_tree, &QTreeView::doubleClicked, this, [this] {
        if (m_editAction->isEnabled()) {
            editCategory();
        }
    });
    connect(m_tree, &QTreeView::collapsed, this, [this](const QModelIndex &index) {
        m_collapsed.insert(m_categories->categoryId(index));
    });
    connect(m_tree, &QTreeView::expanded, this, [this](const QModelIndex &index) {
        m_collapsed.remove(m_categories->categoryId(index));
    });

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_newButton);
    buttons->addWidget(m_editButton);
    buttons->addWidget(m_moveButton);
    buttons->addStretch(1);
    buttons->addWidget(m_deleteButton);

    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 6, 0);
    layout->addWidget(title);
    layout->addWidget(m_categoryBar);
    layout->addWidget(m_tree, 1);
    layout->addLayout(buttons);
}

void TaxonomyPage::buildTagPane(QWidget *pane)
{
    auto *title = new QLabel(tr("&Tags"), pane);
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);

    m_tagBar = new MessageBar(pane);
    m_tagBar->setObjectName(QStringLiteral("tagMessageBar"));

    m_filter = new QLineEdit(pane);
    m_filter->setObjectName(QStringLiteral("tagFilter"));
    m_filter->setAccessibleName(tr("Filter tags"));
    m_filter->setPlaceholderText(tr("Tags starting with…"));
    m_filter->setToolTip(tr("Show only the tags that start with this text"));
    m_filter->setClearButtonEnabled(true);
    auto *filterLabel = new QLabel(tr("Fi&lter:"), pane);
    filterLabel->setBuddy(m_filter);
    connect(m_filter, &QLineEdit::textChanged, m_filterTimer, qOverload<>(&QTimer::start));

    m_tagList = new QTreeView(pane);
    m_tagList->setObjectName(QStringLiteral("tagsList"));
    m_tagList->setAccessibleName(tr("Tags"));
    m_tagList->setAccessibleDescription(tr("Tags with how many items carry each"));
    m_tagList->setModel(m_tags);
    m_tagList->setRootIsDecorated(false);
    m_tagList->setItemsExpandable(false);
    m_tagList->setUniformRowHeights(true);
    m_tagList->setAllColumnsShowFocus(true);
    m_tagList->setAlternatingRowColors(true);
    m_tagList->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tagList->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tagList->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tagList->header()->setStretchLastSection(false);
    m_tagList->header()->setSectionResizeMode(TagsModel::TagColumn, QHeaderView::Stretch);
    m_tagList->header()->setSectionResizeMode(TagsModel::CountColumn,
                                              QHeaderView::ResizeToContents);
    m_tagList->setContextMenuPolicy(Qt::ActionsContextMenu);
    title->setBuddy(m_tagList);

    // Down from the filter goes to the list.
    auto *toList = new QAction(m_filter);
    toList->setShortcut(QKeySequence(Qt::Key_Down));
    toList->setShortcutContext(Qt::WidgetShortcut);
    m_filter->addAction(toList);
    connect(toList, &QAction::triggered, this, [this] {
        m_tagList->setFocus();
        if (!m_tagList->currentIndex().isValid() && m_tags->rowCount() > 0) {
            m_tagList->setCurrentIndex(m_tags->index(0, 0));
        }
    });

    m_renameAction =
        makeAction(m_tagList, tr("&Rename…"), QKeySequence(Qt::Key_F2), Qt::WidgetShortcut);
    m_mergeAction =
        makeAction(m_tagList, tr("Mer&ge…"), QKeySequence(tr("Ctrl+M")), Qt::WidgetShortcut);
    connect(m_renameAction, &QAction::triggered, this, &TaxonomyPage::renameTag);
    connect(m_mergeAction, &QAction::triggered, this, &TaxonomyPage::mergeTags);
    m_renameButton = makeButton(pane, QStringLiteral("renameTag"), tr("&Rename…"), tr("Rename tag"),
                                m_renameAction);
    m_mergeButton = makeButton(pane, QStringLiteral("mergeTags"), tr("Mer&ge…"), tr("Merge tags"),
                               m_mergeAction);
    connect(m_tagList->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &TaxonomyPage::updateActions);
    connect(m_tagList->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid() && !m_tagList->selectionModel()->hasSelection()) {
                    m_tagList->selectionModel()->select(
                        current, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
                }
            });

    m_tagSummary = new QLabel(pane);
    m_tagSummary->setObjectName(QStringLiteral("tagSummary"));

    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(filterLabel);
    filterRow->addWidget(m_filter, 1);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_tagSummary, 1);
    buttons->addWidget(m_renameButton);
    buttons->addWidget(m_mergeButton);

    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(6, 0, 0, 0);
    layout->addWidget(title);
    layout->addWidget(m_tagBar);
    layout->addLayout(filterRow);
    layout->addWidget(m_tagList, 1);
    layout->addLayout(buttons);
}

QString TaxonomyPage::currentCategoryId() const
{
    const QModelIndexList rows = m_tree->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : m_categories->categoryId(rows.first());
}

QStringList TaxonomyPage::selectedTags() const
{
    QModelIndexList rows = m_tagList->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(),
              [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QStringList out;
    for (const QModelIndex &row : rows) {
        out << m_tags->tagAt(row.row()); // the model is most used first
    }
    return out;
}

QString TaxonomyPage::categoryName(const QString &id) const
{
    const Category *c = m_categories->category(id);
    return c ? c->name : id;
}

void TaxonomyPage::pageShown()
{
    reload();
}

void TaxonomyPage::focusSearch()
{
    m_filter->setFocus();
    m_filter->selectAll();
}

void TaxonomyPage::createNew()
{
    if (m_newAction->isEnabled()) {
        newCategory();
    }
}

void TaxonomyPage::reload()
{
    if (hiddenNow()) {
        return;
    }
    m_refresh->stop();
    loadCategories();
    loadTags();
}

void TaxonomyPage::onEvent(const Event &event)
{
    if (event.type.startsWith(QLatin1String("Category")) ||
        event.type.startsWith(QLatin1String("Content"))) {
        if (!m_refresh->isActive()) {
            m_refresh->start(); // one reload for a burst of events
        }
    }
}

void TaxonomyPage::loadCategories()
{
    const quint64 generation = ++m_categoryGeneration;
    if (!m_gateway.isSignedIn()) {
        m_categories->setCategories({});
        updateActions();
        return;
    }
    const Actor actor = m_gateway.actor();
    m_gateway.run(
        this, [&gateway = m_gateway, actor] { return gateway.content().categories(actor); },
        [this, generation](Result<std::vector<Category>> result) {
            if (generation != m_categoryGeneration) {
                return; // a newer load is on its way
            }
            if (!result) {
                m_categoryBar->showError(result.error(), tr("Could not load the categories"));
                return;
            }
            const QString select =
                m_selectAfterLoad.isEmpty() ? currentCategoryId() : m_selectAfterLoad;
            m_selectAfterLoad.clear();
            const int scroll = m_tree->verticalScrollBar()->value();
            m_categories->setCategories(*result);
            m_tree->expandAll();
            for (const QString &id : std::as_const(m_collapsed)) {
                const QModelIndex index = m_categories->indexOf(id);
                if (index.isValid()) {
                    m_tree->collapse(index);
                }
            }
            m_tree->verticalScrollBar()->setValue(scroll);
            selectCategory(select);
            updateActions();
            emit categoriesLoaded();
        });
}

void TaxonomyPage::loadTags()
{
    const quint64 generation = ++m_tagGeneration;
    if (!m_gateway.isSignedIn()) {
        m_tags->setTags({});
        updateActions();
        return;
    }
    const Actor actor = m_gateway.actor();
    const QString prefix = m_filter->text().simplified();
    m_gateway.run(
        this,
        [&gateway = m_gateway, actor, prefix] { return gateway.content().tags(actor, prefix); },
        [this, generation, prefix](Result<std::vector<TagCount>> result) {
            if (generation != m_tagGeneration) {
                return;
            }
            if (!result) {
                m_tagBar->showError(result.error(), tr("Could not load the tags"));
                return;
            }
            const QStringList keep = m_tagsToSelect.isEmpty() ? selectedTags() : m_tagsToSelect;
            m_tagsToSelect.clear();
            const int scroll = m_tagList->verticalScrollBar()->value();
            m_tags->setTags(std::move(*result));
            m_tagList->verticalScrollBar()->setValue(scroll);
            QItemSelection selection;
            for (const QString &tag : keep) {
                const int row = m_tags->rowOf(tag);
                if (row >= 0) {
                    selection.select(m_tags->index(row, 0),
                                     m_tags->index(row, TagsModel::ColumnCount - 1));
                }
            }
            m_tagList->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
            if (!selection.isEmpty()) {
                m_tagList->selectionModel()->setCurrentIndex(selection.first().topLeft(),
                                                             QItemSelectionModel::NoUpdate);
            }
            const int n = m_tags->rowCount();
            if (n > 0) {
                m_tagSummary->setText(taxonomytext::tags(n));
            } else if (!prefix.isEmpty()) {
                m_tagSummary->setText(tr("No tags start with “%1”").arg(prefix));
            } else {
                m_tagSummary->setText(tr("No tags yet"));
            }
            updateActions();
            emit tagsLoaded();
        });
}

void TaxonomyPage::selectCategory(const QString &id)
{
    const QModelIndex index = m_categories->indexOf(id);
    if (!index.isValid()) {
        m_tree->selectionModel()->clearSelection();
        return;
    }
    m_tree->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                         QItemSelectionModel::Rows);
    m_tree->scrollTo(index); // unfolds its ancestors
}

void TaxonomyPage::updateActions()
{
    const bool manage = m_gateway.isSignedIn() && m_gateway.may(Action::TaxonomyManage);
    const QString readOnly =
        m_gateway.isSignedIn()
            ? tr("Changing categories and tags needs the taxonomy.manage permission; your role "
                 "(%1) may only look.")
                  .arg(roleName(m_gateway.actor().role))
            : tr("Sign in to see and manage categories and tags.");
    m_readOnlyNote->setText(readOnly);
    m_readOnlyNote->setVisible(!manage);

    m_categories->setEditable(manage);
    m_tree->setDragEnabled(manage);
    m_tree->setAcceptDrops(manage);
    m_tree->viewport()->setAcceptDrops(manage);
    m_tree->setDragDropMode(manage ? QAbstractItemView::InternalMove
                                   : QAbstractItemView::NoDragDrop);

    const bool hasCategory = !currentCategoryId().isEmpty();
    const QString pick = tr("Select a category first");
    auto why = [&](bool needsSelection) {
        return !manage ? readOnly : (needsSelection ? pick : QString());
    };
    enable(m_newAction, m_newButton, manage,
           tr("Make a category under the selected one (or at the top level)"), why(false));
    enable(m_editAction, m_editButton, manage && hasCategory,
           tr("Change the selected category's name, description and slug"), why(true));
    enable(m_moveAction, m_moveButton, manage && hasCategory,
           tr("Move the selected category under another one; dragging it does the same"),
           why(true));
    enable(m_deleteAction, m_deleteButton, manage && hasCategory,
           tr("Delete the selected category; its subcategories move up"), why(true));

    const int tags = static_cast<int>(m_tagList->selectionModel()->selectedRows().size());
    enable(m_renameAction, m_renameButton, manage && tags == 1,
           tr("Rename the selected tag on every item"),
           !manage ? readOnly : tr("Select one tag to rename"));
    enable(m_mergeAction, m_mergeButton, manage && tags >= 2,
           tr("Merge the selected tags into one on every item"),
           !manage ? readOnly : tr("Select two or more tags to merge (Ctrl+click)"));
}

void TaxonomyPage::newCategory()
{
    if (!m_newAction->isEnabled()) {
        return;
    }
    auto *dialog = new CategoryDialog(*m_categories, currentCategoryId(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setSubmit([this, dialog] {
        CategoryDraft draft;
        draft.name = dialog->name();
        draft.description = dialog->description();
        draft.parentId = dialog->parentId();
        if (!dialog->slug().isEmpty()) {
            draft.slug = dialog->slug();
        }
        const Actor actor = m_gateway.actor();
        m_gateway.run(
            dialog,
            [&gateway = m_gateway, actor, draft] {
                return gateway.content().createCategory(actor, draft);
            },
            [this, dialog](Result<Category> result) {
                if (!result) {
                    dialog->fail(result.error(), tr("Could not create the category"));
                    return;
                }
                m_selectAfterLoad = result->id;
                m_categoryBar->showMessage(
                    MessageBar::Kind::Success,
                    result->parentId.isEmpty()
                        ? tr("Created “%1” at the top level.").arg(result->name)
                        : tr("Created “%1” under “%2”.")
                              .arg(result->name, categoryName(result->parentId)));
                dialog->accept();
                loadCategories();
            });
    });
    dialog->open();
}

void TaxonomyPage::editCategory()
{
    const Category *current = m_categories->category(currentCategoryId());
    if (!m_editAction->isEnabled() || !current) {
        return;
    }
    const Category before = *current;
    auto *dialog = new CategoryDialog(before, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setSubmit([this, dialog, before] {
        CategoryChange change;
        if (dialog->name() != before.name) {
            change.name = dialog->name();
        }
        if (dialog->description() != before.description) {
            change.description = dialog->description();
        }
        if (dialog->slug() != before.slug) {
            change.slug = dialog->slug();
        }
        const Actor actor = m_gateway.actor();
        m_gateway.run(
            dialog,
            [&gateway = m_gateway, actor, id = before.id, change] {
                return gateway.content().updateCategory(actor, id, change);
            },
            [this, dialog](Result<Category> result) {
                if (!result) {
                    dialog->fail(result.error(), tr("Could not save the category"));
                    return;
                }
                m_categoryBar->showMessage(MessageBar::Kind::Success,
                                           tr("Saved “%1”.").arg(result->name));
                m_selectAfterLoad = result->id;
                dialog->accept();
                loadCategories();
            });
    });
    dialog->open();
}

void TaxonomyPage::moveCategory()
{
    const QString id = currentCategoryId();
    if (!m_moveAction->isEnabled() || id.isEmpty()) {
        return;
    }
    auto *dialog = new MoveCategoryDialog(*m_categories, id, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setSubmit([this, dialog, id] {
        const QString parentId = dialog->parentId();
        const Actor actor = m_gateway.actor();
        CategoryChange change;
        change.parentId = parentId;
        m_gateway.run(
            dialog,
            [&gateway = m_gateway, actor, id, change] {
                return gateway.content().updateCategory(actor, id, change);
            },
            [this, dialog, parentId](Result<Category> result) {
                if (!result) {
                    dialog->fail(result.error(), tr("Could not move the category"));
                    return;
                }
                m_categoryBar->showMessage(
                    MessageBar::Kind::Success,
                    parentId.isEmpty()
                        ? tr("Moved “%1” to the top level.").arg(result->name)
                        : tr("Moved “%1” under “%2”.").arg(result->name, categoryName(parentId)));
                m_selectAfterLoad = result->id;
                dialog->accept();
                loadCategories();
            });
    });
    dialog->open();
}

void TaxonomyPage::requestMove(const QStringList &ids, const QString &newParentId)
{
    if (ids.isEmpty()) {
        return;
    }
    m_categoryBar->clear();
    const Actor actor = m_gateway.actor();
    const QString names = quoted([&] {
        QStringList n;
        for (const QString &id : ids) {
            n << categoryName(id);
        }
        return n;
    }());
    const QString target = categoryName(newParentId);
    m_gateway.run(
        this,
        [&gateway = m_gateway, actor, ids, newParentId]() -> Result<int> {
            CategoryChange change;
            change.parentId = newParentId;
            int moved = 0;
            for (const QString &id : ids) {
                if (auto done = gateway.content().updateCategory(actor, id, change); !done) {
                    return fail(done.error());
                }
                ++moved;
            }
            return moved;
        },
        [this, ids, newParentId, names, target](Result<int> result) {
            if (!result) {
                m_categoryBar->showError(result.error(), tr("Could not move %1").arg(names));
            } else {
                m_categoryBar->showMessage(MessageBar::Kind::Success,
                                           newParentId.isEmpty()
                                               ? tr("Moved %1 to the top level.").arg(names)
                                               : tr("Moved %1 under “%2”.").arg(names, target));
                m_selectAfterLoad = ids.first();
            }
            loadCategories();
        });
}

void TaxonomyPage::deleteCategory()
{
    const QString id = currentCategoryId();
    if (!m_deleteAction->isEnabled() || id.isEmpty()) {
        return;
    }
    auto *dialog = new DeleteCategoryDialog(*m_categories, id, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QString name = categoryName(id);
    const QString parentId = m_categories->category(id)->parentId;
    dialog->setSubmit([this, dialog, id, name, parentId] {
        const QString reassignTo = dialog->reassignTo();
        const Actor actor = m_gateway.actor();
        m_gateway.run(
            dialog,
            [&gateway = m_gateway, actor, id, reassignTo] {
                return gateway.content().deleteCategory(actor, id, reassignTo);
            },
            [this, dialog, id, name, parentId, reassignTo](Result<void> result) {
                if (!result) {
                    if (result.error().code == ErrorCode::Conflict && reassignTo.isEmpty()) {
                        dialog->askForTarget(); // it holds items after all
                    }
                    dialog->fail(result.error(), tr("Could not delete “%1”").arg(name));
                    return;
                }
                m_categoryBar->showMessage(MessageBar::Kind::Success,
                                           reassignTo.isEmpty()
                                               ? tr("Deleted “%1”.").arg(name)
                                               : tr("Deleted “%1”; its items are now in “%2”.")
                                                     .arg(name, categoryName(reassignTo)));
                m_collapsed.remove(id);
                m_selectAfterLoad = parentId;
                dialog->accept();
                loadCategories();
            });
    });
    dialog->open();
}

void TaxonomyPage::renameTag()
{
    const QStringList selected = selectedTags();
    if (!m_renameAction->isEnabled() || selected.size() != 1) {
        return;
    }
    const QString from = selected.first();
    QStringList all;
    for (const TagCount &t : m_tags->tags()) {
        all << t.tag;
    }
    auto *dialog = new TagNameDialog(
        tr("Rename Tag"),
        tr("Rename “%1” on the %2 that carry it. Naming a tag that exists merges the two.")
            .arg(from, taxonomytext::items(m_tags->countOf(from))),
        tr("&New name:"), from, all, from, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->okButton()->setText(tr("&Rename"));
    dialog->setSubmit([this, dialog, from] {
        const QString to = dialog->tagName();
        const Actor actor = m_gateway.actor();
        m_gateway.run(
            dialog,
            [&gateway = m_gateway, actor, from, to] {
                return gateway.content().renameTag(actor, from, to);
            },
            [this, dialog, from, to](Result<int> result) {
                if (!result) {
                    dialog->fail(result.error(), tr("Could not rename “%1”").arg(from));
                    return;
                }
                m_tagBar->showMessage(
                    MessageBar::Kind::Success,
                    tr("Renamed “%1” to “%2” on %3.").arg(from, to, taxonomytext::items(*result)));
                m_tagsToSelect = {to};
                dialog->accept();
                loadTags();
            });
    });
    dialog->open();
}

void TaxonomyPage::mergeTags()
{
    const QStringList selected = selectedTags();
    if (!m_mergeAction->isEnabled() || selected.size() < 2) {
        return;
    }
    QStringList all = selected;
    for (const TagCount &t : m_tags->tags()) {
        if (!all.contains(t.tag)) {
            all << t.tag;
        }
    }
    // selectedTags() is most used first: the default target.
    auto *dialog = new TagNameDialog(
        tr("Merge Tags"),
        tr("Replace %1 with one tag on every item that carries any of them.").arg(quoted(selected)),
        tr("&Into:"), selected.first(), all, QString(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->okButton()->setText(tr("&Merge"));
    dialog->setSubmit([this, dialog, selected] {
        const QString to = dialog->tagName();
        const Actor actor = m_gateway.actor();
        m_gateway.run(
            dialog,
            [&gateway = m_gateway, actor, selected, to] {
                return gateway.content().mergeTags(actor, selected, to);
            },
            [this, dialog, selected, to](Result<int> result) {
                if (!result) {
                    dialog->fail(result.error(), tr("Could not merge the tags"));
                    return;
                }
                m_tagBar->showMessage(MessageBar::Kind::Success,
                                      tr("Merged %1 into “%2” on %3.")
                                          .arg(quoted(selected), to, taxonomytext::items(*result)));
                m_tagsToSelect = {to};
                dialog->accept();
                loadTags();
            });
    });
    dialog->open();
}

} // namespace colophon
