// SPDX-License-Identifier: MIT
// The console's content section (see contentlistpage.h).
#include "ui/content/contentlistpage.h"

#include "backend/events/event.h"
#include "ui/content/contentlistmodel.h"
#include "ui/core/messagebar.h"
#include "ui/core/servicegateway.h"

#include <QAction>
#include <QComboBox>
#include <QCompleter>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QStringListModel>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>
#include <map>
#include <utility>

namespace colophon {

namespace {

constexpr int kSearchDebounceMs = 250;
constexpr int kTagsRefreshMs = 1000;

QString quoted(const QString &text)
{
    return QStringLiteral("“%1”").arg(text);
}

QString itemsText(qint64 n)
{
    return n == 1 ? ContentListPage::tr("1 item")
                  : ContentListPage::tr("%1 items").arg(QLocale().toString(n));
}

// The selected rows, in order, from the selection's ranges (a select-all
// over 100,000 rows is one range, not 100,000 indexes).
std::vector<int> selectedRows(const QTableView *view)
{
    std::vector<int> rows;
    if (!view->selectionModel()) {
        return rows;
    }
    for (const QItemSelectionRange &range : view->selectionModel()->selection()) {
        for (int row = range.top(); row <= range.bottom(); ++row) {
            rows.push_back(row);
        }
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    return rows;
}

} // namespace

ContentListPage::ContentListPage(ServiceGateway &gateway, QWidget *parent)
    : ConsolePage(parent), m_gateway(gateway), m_model(new ContentListModel(gateway, this))
{
    setAccessibleName(tr("Content"));
    m_messageBar = new MessageBar(this);
    m_messageBar->setObjectName(QStringLiteral("messageBar"));

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("contentTable"));
    m_view->setAccessibleName(tr("Content items"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setTabKeyNavigation(false);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setShowGrid(false);
    m_view->setTextElideMode(Qt::ElideRight);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->verticalHeader()->hide();
    // Fixed row heights: the view never measures rows it has not loaded.
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 10);
    QHeaderView *header = m_view->horizontalHeader();
    header->setSectionsClickable(true);
    header->setSortIndicatorShown(true);
    header->setHighlightSections(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(ContentListModel::Title, QHeaderView::Stretch);
    header->setSortIndicator(m_model->sortColumn(), m_model->sortOrder());
    const int em = fontMetrics().horizontalAdvance(QLatin1Char('M'));
    header->resizeSection(ContentListModel::Type, 7 * em);
    header->resizeSection(ContentListModel::Status, 10 * em);
    header->resizeSection(ContentListModel::Author, 11 * em);
    header->resizeSection(ContentListModel::Categories, 12 * em);
    header->resizeSection(ContentListModel::Updated, 14 * em);
    connect(header, &QHeaderView::sortIndicatorChanged, this, &ContentListPage::sectionClicked);

    buildFilterBar();
    buildActions();

    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("itemCount"));
    m_count->setAccessibleName(tr("Number of items"));
    m_count->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_count->setMinimumWidth(10 * em);
    auto *spacer = new QWidget(m_toolBar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    m_toolBar->addWidget(spacer);
    m_toolBar->addWidget(m_count);

    auto *filters = new QWidget(this);
    filters->setObjectName(QStringLiteral("filterBar"));
    auto *filterLayout = new QHBoxLayout(filters);
    filterLayout->setContentsMargins(0, 0, 0, 0);
    const auto addField = [&](const QString &label, QWidget *field, int stretch) {
        auto *caption = new QLabel(label, filters);
        caption->setBuddy(field);
        filterLayout->addWidget(caption);
        filterLayout->addWidget(field, stretch);
    };
    addField(tr("&Search:"), m_search, 3);
    addField(tr("S&tatus:"), m_status, 0);
    addField(tr("T&ype:"), m_type, 0);
    addField(tr("Cate&gory:"), m_category, 1);
    addField(tr("T&ag:"), m_tag, 1);
    filterLayout->addWidget(m_clear);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(filters);
    layout->addWidget(m_toolBar);
    layout->addWidget(m_messageBar);
    layout->addWidget(m_view, 1);
    setTabOrder(m_search, m_status);
    setTabOrder(m_status, m_type);
    setTabOrder(m_type, m_category);
    setTabOrder(m_category, m_tag);
    setTabOrder(m_tag, m_clear);
    setTabOrder(m_clear, m_view);

    m_searchTimer.setSingleShot(true);
    m_searchTimer.setInterval(kSearchDebounceMs);
    connect(&m_searchTimer, &QTimer::timeout, this, &ContentListPage::applyFilters);
    m_tagsTimer.setSingleShot(true);
    m_tagsTimer.setInterval(kTagsRefreshMs);
    connect(&m_tagsTimer, &QTimer::timeout, this, &ContentListPage::refreshTags);

    connect(m_model, &ContentListModel::totalChanged, this, &ContentListPage::updateCount);
    connect(m_model, &ContentListModel::loaded, this, [this] {
        reselect();
        updateCount();
        updateActions();
    });
    connect(m_model, &ContentListModel::loadFailed, this, [this](const Error &error) {
        m_undo.reset();
        m_messageBar->showError(error, tr("Could not load the content list"));
    });
    connect(m_model, &ContentListModel::categoriesChanged, this, &ContentListPage::fillCategories);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &ContentListPage::updateActions);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ContentListPage::updateActions);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateActions();
        updateCount();
    });
    connect(m_view, &QTableView::activated, this, &ContentListPage::openCurrent);
    connect(m_view, &QWidget::customContextMenuRequested, this, &ContentListPage::showContextMenu);
    connect(m_messageBar, &MessageBar::actionTriggered, this, [this] {
        if (m_undo && !m_busy) {
            BulkOperation undo = std::move(*m_undo);
            m_undo.reset();
            runOperation(std::move(undo));
        }
    });
    connect(&m_gateway, &ServiceGateway::signedInChanged, this, [this] {
        m_undo.reset();
        m_messageBar->clear();
        refreshTags();
        updateActions();
    });
    connect(&m_gateway, &ServiceGateway::eventCommitted, this, [this](const Event &event) {
        if (event.stream.startsWith(QLatin1String("content/")) && !m_tagsTimer.isActive()) {
            m_tagsTimer.start();
        }
    });

    setFocusProxy(m_search);
    // The tag counts read every item's tags (about a second over 100,000
    // items): asked for only when someone reaches for a tag.
    m_tag->installEventFilter(this);
    updateCount();
    updateActions();
}

void ContentListPage::buildFilterBar()
{
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("searchField"));
    m_search->setAccessibleName(tr("Search titles"));
    m_search->setPlaceholderText(tr("Search titles…"));
    m_search->setToolTip(tr("Shows the items whose title contains this text (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, this, [this] { m_searchTimer.start(); });
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        m_searchTimer.stop();
        applyFilters();
    });

    m_status = new QComboBox(this);
    m_status->setObjectName(QStringLiteral("statusFilter"));
    m_status->setAccessibleName(tr("Status filter"));
    m_status->setToolTip(tr("Show only items in this status"));
    m_status->addItem(tr("Any status"), QString());
    for (ContentStatus status : {ContentStatus::Draft, ContentStatus::Review,
                                 ContentStatus::Published, ContentStatus::Archived}) {
        m_status->addItem(ContentListModel::statusIcon(status),
                          ContentListModel::statusText(status), contentStatusName(status));
    }
    connect(m_status, &QComboBox::currentIndexChanged, this, &ContentListPage::applyFilters);

    m_type = new QComboBox(this);
    m_type->setObjectName(QStringLiteral("typeFilter"));
    m_type->setAccessibleName(tr("Type filter"));
    m_type->setToolTip(tr("Show only items of this type"));
    m_type->addItem(tr("Any type"), QString());
    for (ContentType type :
         {ContentType::Article, ContentType::Video, ContentType::Gallery, ContentType::Podcast}) {
        m_type->addItem(ContentListModel::typeText(type), contentTypeName(type));
    }
    connect(m_type, &QComboBox::currentIndexChanged, this, &ContentListPage::applyFilters);

    m_category = new QComboBox(this);
    m_category->setObjectName(QStringLiteral("categoryFilter"));
    m_category->setAccessibleName(tr("Category filter"));
    m_category->setToolTip(tr("Show only items filed in this category"));
    m_category->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_category->setMinimumContentsLength(12);
    m_category->addItem(tr("Any category"), QString());
    connect(m_category, &QComboBox::currentIndexChanged, this, &ContentListPage::applyFilters);

    m_tag = new QLineEdit(this);
    m_tag->setObjectName(QStringLiteral("tagFilter"));
    m_tag->setAccessibleName(tr("Tag filter"));
    m_tag->setPlaceholderText(tr("Any tag"));
    m_tag->setToolTip(tr("Show only items with this tag; press Enter to apply"));
    m_tag->setClearButtonEnabled(true);
    m_tagNames = new QStringListModel(this);
    auto *completer = new QCompleter(m_tagNames, m_tag);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchStartsWith);
    m_tag->setCompleter(completer);
    connect(m_tag, &QLineEdit::editingFinished, this, &ContentListPage::applyFilters);
    connect(completer, qOverload<const QString &>(&QCompleter::activated), this,
            &ContentListPage::applyFilters);
    connect(m_tag, &QLineEdit::textChanged, this, [this](const QString &text) {
        if (text.isEmpty()) {
            applyFilters(); // cleared: show every tag again at once
        }
    });

    m_clear = new QPushButton(tr("C&lear filters"), this);
    m_clear->setObjectName(QStringLiteral("clearFilters"));
    m_clear->setAccessibleName(tr("Clear filters"));
    m_clear->setToolTip(tr("Show every item again"));
    m_clear->setEnabled(false);
    connect(m_clear, &QPushButton::clicked, this, &ContentListPage::clearFilters);
}

void ContentListPage::buildActions()
{
    m_toolBar = new QToolBar(this);
    m_toolBar->setObjectName(QStringLiteral("contentActions"));
    m_toolBar->setAccessibleName(tr("Content actions"));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_toolBar->setIconSize(QSize(16, 16));

    const auto make = [this](const char *name, const QString &text, const QString &tip) {
        auto *action = new QAction(text, this);
        action->setObjectName(QLatin1String(name));
        action->setToolTip(tip);
        action->setStatusTip(tip);
        action->setProperty("baseToolTip", tip);
        return action;
    };
    m_new = make("newItem", tr("&New"), tr("Write a new item"));
    m_open = make("openItem", tr("&Open"), tr("Open the item in the editor (Enter)"));
    m_submit = make("bulkSubmit", tr("&Submit for review"),
                    tr("Send the selected drafts to an editor for review"));
    m_publish = make("bulkPublish", tr("&Publish"), tr("Publish the selected items"));
    m_archive = make("bulkArchive", tr("&Archive"), tr("Withdraw the selected items"));
    m_addTag = make("bulkTag", tr("Add &tag…"), tr("Add a tag to the selected items"));
    m_delete =
        make("bulkDelete", tr("&Delete…"), tr("Delete the selected items (cannot be undone)"));
    m_delete->setShortcut(QKeySequence::Delete);
    m_delete->setShortcutContext(Qt::WidgetShortcut);
    m_view->addAction(m_delete);

    connect(m_new, &QAction::triggered, this, &ContentListPage::createNew);
    connect(m_open, &QAction::triggered, this, &ContentListPage::openCurrent);
    connect(m_submit, &QAction::triggered, this, [this] { bulkStatus(ContentStatus::Review); });
    connect(m_publish, &QAction::triggered, this, [this] { bulkStatus(ContentStatus::Published); });
    connect(m_archive, &QAction::triggered, this, [this] { bulkStatus(ContentStatus::Archived); });
    connect(m_addTag, &QAction::triggered, this, &ContentListPage::bulkTag);
    connect(m_delete, &QAction::triggered, this, &ContentListPage::bulkDelete);

    m_toolBar->addAction(m_new);
    m_toolBar->addAction(m_open);
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_submit);
    m_toolBar->addAction(m_publish);
    m_toolBar->addAction(m_archive);
    m_toolBar->addAction(m_addTag);
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_delete);
    for (QAction *action : m_toolBar->actions()) {
        if (QWidget *button = m_toolBar->widgetForAction(action)) {
            button->setAccessibleName(action->text().remove(u'&').remove(QStringLiteral("…")));
        }
    }
}

QStringList ContentListPage::selectedIds() const
{
    QStringList ids;
    for (int row : selectedRows(m_view)) {
        if (auto item = m_model->itemAt(row)) {
            ids << item->id;
        }
    }
    return ids;
}

void ContentListPage::pageShown()
{
    // The first showing is the model's first load, already under way.
    if (std::exchange(m_shownBefore, true)) {
        m_model->reload();
        refreshTags();
    }
    updateActions();
}

bool ContentListPage::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_tag && event->type() == QEvent::FocusIn) {
        wantTags();
    }
    return ConsolePage::eventFilter(watched, event);
}

void ContentListPage::wantTags()
{
    if (!m_tagsWanted) {
        m_tagsWanted = true;
        refreshTags();
    }
}

void ContentListPage::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void ContentListPage::createNew()
{
    if (m_gateway.may(Action::ContentCreate)) {
        emit newRequested();
    }
}

void ContentListPage::applyFilters()
{
    ContentQuery query;
    // The combos carry the service's names ("published", "video"); empty: any.
    query.status = parseContentStatus(m_status->currentData().toString());
    query.type = parseContentType(m_type->currentData().toString());
    query.categoryId = m_category->currentData().toString();
    query.text = m_search->text().trimmed();
    const QString tagText = m_tag->text().trimmed();
    if (!tagText.isEmpty()) {
        auto tag = normaliseTag(tagText);
        if (!tag) {
            m_undo.reset();
            m_messageBar->showError(tag.error(), tr("Tag filter"));
            return;
        }
        query.tag = *tag;
    }
    m_clear->setEnabled(query.status || query.type || !query.categoryId.isEmpty() ||
                        !query.text.isEmpty() || !query.tag.isEmpty());
    const ContentQuery current = m_model->filter();
    if (current.status == query.status && current.type == query.type &&
        current.categoryId == query.categoryId && current.text == query.text &&
        current.tag == query.tag) {
        return;
    }
    m_model->setQuery(query);
    updateCount();
}

void ContentListPage::clearFilters()
{
    {
        const QSignalBlocker blockSearch(m_search);
        const QSignalBlocker blockStatus(m_status);
        const QSignalBlocker blockType(m_type);
        const QSignalBlocker blockCategory(m_category);
        const QSignalBlocker blockTag(m_tag);
        m_search->clear();
        m_status->setCurrentIndex(0);
        m_type->setCurrentIndex(0);
        m_category->setCurrentIndex(0);
        m_tag->clear();
    }
    m_searchTimer.stop();
    applyFilters();
    m_search->setFocus(Qt::OtherFocusReason);
}

void ContentListPage::fillCategories()
{
    const QString selected = m_category->currentData().toString();
    std::map<QString, std::vector<const Category *>> children;
    QSet<QString> known;
    for (const Category &category : m_model->categories()) {
        known.insert(category.id);
    }
    for (const Category &category : m_model->categories()) {
        // A parent that is not listed: show the child as a root.
        children[known.contains(category.parentId) ? category.parentId : QString()].push_back(
            &category);
    }
    for (auto &[parent, list] : children) {
        std::sort(list.begin(), list.end(), [](const Category *a, const Category *b) {
            return a->name.localeAwareCompare(b->name) < 0;
        });
    }
    const QSignalBlocker blocker(m_category);
    m_category->clear();
    m_category->addItem(tr("Any category"), QString());
    std::function<void(const QString &, int)> add = [&](const QString &parent, int depth) {
        auto it = children.find(parent);
        if (it == children.end()) {
            return;
        }
        for (const Category *category : it->second) {
            m_category->addItem(QString(depth * 3, u' ') + category->name, category->id);
            m_category->setItemData(m_category->count() - 1,
                                    category->description.isEmpty() ? category->name
                                                                    : category->description,
                                    Qt::ToolTipRole);
            if (depth < 16) {
                add(category->id, depth + 1);
            }
        }
    };
    add(QString(), 0);
    const int index = m_category->findData(selected);
    m_category->setCurrentIndex(std::max(0, index));
    if (index < 0 && !selected.isEmpty()) {
        applyFilters(); // the category filtered on is gone
    }
}

void ContentListPage::refreshTags()
{
    if (!m_gateway.isSignedIn() || !m_tagsWanted) {
        return;
    }
    ContentService *content = &m_gateway.content();
    m_gateway.run(
        this, [content, actor = m_gateway.actor()] { return content->tags(actor); },
        [this](Result<std::vector<TagCount>> tags) {
            if (!tags) {
                return; // the completer keeps what it had; the list itself reports errors
            }
            QStringList names;
            for (const TagCount &tag : *tags) {
                names << tag.tag;
            }
            m_tagNames->setStringList(names);
        });
}

void ContentListPage::updateActions()
{
    const std::vector<int> rows = selectedRows(m_view);
    bool anyUnloaded = false;
    bool canReview = false;
    bool canPublish = false;
    bool canArchive = false;
    for (int row : rows) {
        auto item = m_model->itemAt(row);
        if (!item) {
            anyUnloaded = true;
            break; // the service decides for what is not loaded
        }
        canReview = canReview || transitionAction(item->status, ContentStatus::Review);
        canPublish = canPublish || transitionAction(item->status, ContentStatus::Published);
        canArchive = canArchive || transitionAction(item->status, ContentStatus::Archived);
        if (canReview && canPublish && canArchive) {
            break;
        }
    }
    const bool some = !rows.empty() && !m_busy;
    const auto set = [this](QAction *action, Action permission, bool possible) {
        const bool may = m_gateway.may(permission);
        action->setEnabled(may && possible);
        const QString tip = action->property("baseToolTip").toString();
        action->setToolTip(may ? tip : tr("%1 (not permitted for your role)").arg(tip));
    };
    set(m_submit, Action::ContentSubmit, some && (anyUnloaded || canReview));
    set(m_publish, Action::ContentPublish, some && (anyUnloaded || canPublish));
    set(m_archive, Action::ContentArchive, some && (anyUnloaded || canArchive));
    set(m_addTag, Action::ContentEditOwn, some);
    set(m_delete, Action::ContentDeleteOwn, some);
    set(m_new, Action::ContentCreate, true);
    const QModelIndex current = m_view->currentIndex();
    m_open->setEnabled(current.isValid() && m_model->itemAt(current.row()).has_value());
}

void ContentListPage::updateCount()
{
    const qint64 total = m_model->total();
    QString text;
    if (!m_gateway.isSignedIn()) {
        text = tr("Not signed in");
    } else if (m_model->isLoading() && total == 0) {
        text = tr("Loading…");
    } else if (total == 0) {
        text = m_clear->isEnabled() ? tr("No matching items") : tr("No items");
    } else {
        text = itemsText(total);
    }
    const std::size_t selected = selectedRows(m_view).size();
    if (selected > 0) {
        text += tr(" · %1 selected").arg(QLocale().toString(static_cast<qint64>(selected)));
    }
    m_count->setText(text);
    m_count->setAccessibleDescription(text);
}

void ContentListPage::sectionClicked(int section)
{
    if (!ContentListModel::isSortable(section)) {
        // Put the indicator back: the service cannot sort by this column.
        const QSignalBlocker blocker(m_view->horizontalHeader());
        m_view->horizontalHeader()->setSortIndicator(m_model->sortColumn(), m_model->sortOrder());
        m_undo.reset();
        m_messageBar->showMessage(
            MessageBar::Kind::Info,
            tr("The list cannot be sorted by %1; sort by title, type, status or date instead.")
                .arg(m_model->headerData(section, Qt::Horizontal).toString().toLower()));
        return;
    }
    m_model->sort(section, m_view->horizontalHeader()->sortIndicatorOrder());
    updateCount();
}

void ContentListPage::openCurrent()
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid()) {
        return;
    }
    if (auto item = m_model->itemAt(current.row())) {
        emit openRequested(item->id);
    }
}

void ContentListPage::showContextMenu(const QPoint &pos)
{
    const QModelIndex at = m_view->indexAt(pos);
    if (at.isValid() && !m_view->selectionModel()->isRowSelected(at.row(), {})) {
        m_view->selectionModel()->setCurrentIndex(at, QItemSelectionModel::ClearAndSelect |
                                                          QItemSelectionModel::Rows);
    }
    updateActions();
    QMenu menu(this);
    menu.addAction(m_open);
    menu.addSeparator();
    menu.addAction(m_submit);
    menu.addAction(m_publish);
    menu.addAction(m_archive);
    menu.addAction(m_addTag);
    menu.addSeparator();
    menu.addAction(m_delete);
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

void ContentListPage::reselect()
{
    if (m_reselect.isEmpty()) {
        return;
    }
    QItemSelection selection;
    for (const QString &id : std::as_const(m_reselect)) {
        const int row = m_model->rowOf(id);
        if (row >= 0) {
            selection.select(m_model->index(row, 0),
                             m_model->index(row, ContentListModel::ColumnCount - 1));
        }
    }
    m_reselect.clear();
    m_view->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
}

bool ContentListPage::collectTargets(BulkOperation &operation) const
{
    operation.unloaded.query = m_model->effectiveQuery();
    for (int row : selectedRows(m_view)) {
        if (auto item = m_model->itemAt(row)) {
            operation.targets.push_back({item->id, item->title, operation.status});
        } else {
            operation.unloaded.rows.push_back(row);
        }
    }
    return !operation.targets.empty() || !operation.unloaded.rows.empty();
}

bool ContentListPage::confirm(const QString &question, const QString &detail,
                              const QString &acceptLabel, bool destructive)
{
    QMessageBox box(destructive ? QMessageBox::Warning : QMessageBox::Question, tr("Content"),
                    question, QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setInformativeText(detail);
    box.button(QMessageBox::Yes)->setText(acceptLabel);
    box.setDefaultButton(destructive ? QMessageBox::Cancel : QMessageBox::Yes);
    box.setEscapeButton(QMessageBox::Cancel);
    return box.exec() == QMessageBox::Yes;
}

void ContentListPage::bulkStatus(ContentStatus to)
{
    BulkOperation operation;
    operation.kind = BulkKind::SetStatus;
    operation.status = to;
    if (m_busy || !collectTargets(operation)) {
        return;
    }
    const qint64 n = static_cast<qint64>(operation.targets.size() + operation.unloaded.rows.size());
    const QString verb = bulkVerb(operation);
    const QString what = n == 1 && !operation.targets.empty()
                             ? quoted(operation.targets.front().title)
                             : itemsText(n);
    QString detail;
    switch (to) {
    case ContentStatus::Review:
        detail = tr("Editors will see them in review.");
        break;
    case ContentStatus::Published:
        detail = tr("They become visible to every reader.");
        break;
    case ContentStatus::Archived:
        detail = tr("They are withdrawn from readers.");
        break;
    case ContentStatus::Draft:
        break;
    }
    detail += u' ' + tr("Items that cannot make this move are left as they are and listed "
                        "afterwards. You can undo this from the message that follows.");
    const QString question = tr("%1 %2?").arg(verb, what);
    if (!confirm(question, detail, verb, false)) {
        return;
    }
    runOperation(std::move(operation));
}

void ContentListPage::bulkTag()
{
    BulkOperation operation;
    operation.kind = BulkKind::AddTag;
    if (m_busy || !collectTargets(operation)) {
        return;
    }
    const qint64 n = static_cast<qint64>(operation.targets.size() + operation.unloaded.rows.size());
    wantTags(); // the completer fills in while the dialog is open
    QInputDialog dialog(this);
    dialog.setWindowTitle(tr("Add a tag"));
    dialog.setInputMode(QInputDialog::TextInput);
    dialog.setLabelText(n == 1 && !operation.targets.empty()
                            ? tr("&Tag to add to %1:").arg(quoted(operation.targets.front().title))
                            : tr("&Tag to add to %1:").arg(itemsText(n)));
    dialog.setOkButtonText(tr("Add tag"));
    dialog.setTextValue(m_model->filter().tag);
    if (auto *field = dialog.findChild<QLineEdit *>()) {
        field->setAccessibleName(tr("Tag"));
        field->setPlaceholderText(tr("for example: interviews"));
        auto *completer = new QCompleter(m_tagNames, field);
        completer->setCaseSensitivity(Qt::CaseInsensitive);
        field->setCompleter(completer);
    }
    if (dialog.exec() != QDialog::Accepted) {
        return;
    }
    auto tag = normaliseTag(dialog.textValue());
    if (!tag) {
        m_undo.reset();
        m_messageBar->showError(tag.error(), tr("Could not add the tag"));
        return;
    }
    operation.tag = *tag;
    runOperation(std::move(operation));
}

void ContentListPage::bulkDelete()
{
    BulkOperation operation;
    operation.kind = BulkKind::Delete;
    if (m_busy || !collectTargets(operation)) {
        return;
    }
    const qint64 n = static_cast<qint64>(operation.targets.size() + operation.unloaded.rows.size());
    const QString what = n == 1 && !operation.targets.empty()
                             ? quoted(operation.targets.front().title)
                             : itemsText(n);
    if (!confirm(tr("Delete %1?").arg(what),
                 tr("Deleting cannot be undone: the items leave every listing and their links "
                    "to other items are removed."),
                 tr("Delete"), true)) {
        return;
    }
    runOperation(std::move(operation));
}

void ContentListPage::runOperation(BulkOperation operation)
{
    m_busy = true;
    m_undo.reset();
    updateActions();
    const qint64 n = static_cast<qint64>(operation.targets.size() + operation.unloaded.rows.size());
    m_messageBar->showMessage(MessageBar::Kind::Info,
                              tr("%1: working on %2…").arg(bulkVerb(operation), itemsText(n)));
    ContentService *content = &m_gateway.content();
    m_gateway.run(
        this,
        [content, actor = m_gateway.actor(), operation = std::move(operation)]() mutable {
            return runBulk(*content, actor, std::move(operation));
        },
        [this](BulkReport report) {
            m_busy = false;
            // The rows move as the list reloads: select the same items again
            // (those still there) once it has.
            m_reselect.clear();
            for (const BulkOutcome &outcome : report.outcomes) {
                if (!outcome.id.isEmpty() &&
                    (outcome.error || report.operation.kind != BulkKind::Delete)) {
                    m_reselect << outcome.id;
                }
            }
            m_view->clearSelection();
            showReport(report);
            updateActions();
        });
}

void ContentListPage::showReport(const BulkReport &report)
{
    const int ok = report.succeeded();
    const MessageBar::Kind kind = report.failed() == 0 ? MessageBar::Kind::Success
                                  : ok > 0             ? MessageBar::Kind::Warning
                                                       : MessageBar::Kind::Error;
    m_undo.reset();
    if (report.operation.undoOf.isEmpty() && ok > 0) {
        m_undo = undoFor(report, m_gateway.actor().role);
    }
    m_messageBar->showMessage(kind, bulkSummary(report), m_undo ? tr("&Undo") : QString());
}

} // namespace colophon
