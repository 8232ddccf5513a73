// SPDX-License-Identifier: MIT
#include "ui/editor/contenteditor.h"

#include "ui/core/actornames.h"
#include "ui/core/messagebar.h"
#include "ui/core/servicegateway.h"
#include "ui/editor/categorypicker.h"
#include "ui/editor/markdownhighlighter.h"
#include "ui/editor/metadataeditor.h"
#include "ui/editor/tagsedit.h"
#include "ui/editor/versionspanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QEvent>
#include <QEventLoop>
#include <QFontDatabase>
#include <QFormLayout>
#include <QFrame>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace colophon {

namespace {

constexpr int kPreviewDelayMs = 250;
constexpr int kRemoteCheckDelayMs = 120;
constexpr int kLongestWaitMs = 30000;
const char kInvalid[] = "invalid";

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

// Minutes are what the schedule fields show; seconds do not count as a change.
bool sameMinute(qint64 a, qint64 b)
{
    return a / 60000 == b / 60000;
}

QString statusText(ContentStatus status)
{
    switch (status) {
    case ContentStatus::Draft:
        return QObject::tr("Draft");
    case ContentStatus::Review:
        return QObject::tr("In review");
    case ContentStatus::Published:
        return QObject::tr("Published");
    case ContentStatus::Archived:
        return QObject::tr("Archived");
    }
    return {};
}

} // namespace

// The non-blocking notice of a change made elsewhere or a refused save.
struct ContentEditor::Banner
{
    QFrame *frame;
    QLabel *label;
    QPushButton *reload;
    QPushButton *keepMine;
};

ContentEditor::ContentEditor(ServiceGateway &gateway, const QString &itemId, QWidget *parent)
    : QWidget(parent), m_gateway(gateway), m_names(&gateway.names())
{
    m_item.id = itemId;
    m_exists = !itemId.isEmpty();
    m_item.authorId = gateway.actor().userId;
    setAccessibleName(tr("Content editor"));
    buildUi();

    m_autosave.setSingleShot(true);
    connect(&m_autosave, &QTimer::timeout, this, &ContentEditor::save);
    m_previewTimer.setSingleShot(true);
    m_previewTimer.setInterval(kPreviewDelayMs);
    connect(&m_previewTimer, &QTimer::timeout, this, &ContentEditor::updatePreview);
    m_remoteTimer.setSingleShot(true);
    m_remoteTimer.setInterval(kRemoteCheckDelayMs);
    connect(&m_remoteTimer, &QTimer::timeout, this, &ContentEditor::checkRemote);
    connect(&m_gateway, &ServiceGateway::eventCommitted, this, &ContentEditor::remoteEvent);
    connect(&m_gateway, &ServiceGateway::signedInChanged, this, [this] {
        updateEditability();
        updateWorkflow();
    });

    loadTaxonomy();
    if (m_exists) {
        m_loaded = false;
        setState(SaveState::Saved);
        load();
    } else {
        m_loaded = true;
        populate(m_item);
        m_versions->setItemId({});
        setState(SaveState::Saved);
    }
}

ContentEditor::~ContentEditor() = default;

void ContentEditor::buildUi()
{
    m_messageBar = new MessageBar(this);

    m_banner = std::make_unique<Banner>();
    m_banner->frame = new QFrame(this);
    m_banner->frame->setObjectName(QStringLiteral("conflictBanner"));
    m_banner->frame->setAccessibleName(tr("Changed elsewhere"));
    m_banner->frame->setFrameShape(QFrame::StyledPanel);
    m_banner->frame->setStyleSheet(QStringLiteral(
        "#conflictBanner { background: rgba(230,160,0,0.22); border-radius: 4px; }"));
    m_banner->label = new QLabel(m_banner->frame);
    m_banner->label->setWordWrap(true);
    m_banner->label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->reload = new QPushButton(tr("&Reload"), m_banner->frame);
    m_banner->reload->setObjectName(QStringLiteral("reloadButton"));
    m_banner->reload->setAccessibleName(tr("Reload the item"));
    m_banner->reload->setToolTip(tr("Show the item as it is now"));
    m_banner->keepMine = new QPushButton(tr("&Keep mine"), m_banner->frame);
    m_banner->keepMine->setObjectName(QStringLiteral("keepMineButton"));
    m_banner->keepMine->setAccessibleName(tr("Keep my edits"));
    m_banner->keepMine->setToolTip(
        tr("Save the fields you changed over the current version; the rest is taken from it"));
    auto *dismiss = new QToolButton(m_banner->frame);
    dismiss->setText(QStringLiteral("\u2715"));
    dismiss->setAutoRaise(true);
    dismiss->setAccessibleName(tr("Dismiss"));
    dismiss->setToolTip(tr("Dismiss"));
    auto *bannerLayout = new QHBoxLayout(m_banner->frame);
    bannerLayout->setContentsMargins(8, 4, 4, 4);
    bannerLayout->addWidget(m_banner->label, 1);
    bannerLayout->addWidget(m_banner->reload);
    bannerLayout->addWidget(m_banner->keepMine);
    bannerLayout->addWidget(dismiss);
    m_banner->frame->setVisible(false);
    connect(m_banner->reload, &QPushButton::clicked, this, &ContentEditor::reloadFromBanner);
    connect(m_banner->keepMine, &QPushButton::clicked, this, &ContentEditor::keepMine);
    connect(dismiss, &QToolButton::clicked, m_banner->frame, &QWidget::hide);

    m_side = new QTabWidget(this);
    m_side->setObjectName(QStringLiteral("sideTabs"));
    m_side->setAccessibleName(tr("Item details"));
    m_side->setDocumentMode(true);
    m_side->addTab(buildDetails(), tr("D&etails"));
    m_metadata = new MetadataEditor(this);
    m_metadata->setObjectName(QStringLiteral("metadataEditor"));
    m_side->addTab(m_metadata, tr("&Metadata"));
    m_versions = new VersionsPanel(m_gateway, *m_names, this);
    m_versions->setObjectName(QStringLiteral("versionsPanel"));
    m_side->addTab(m_versions, tr("&History"));

    m_split = new QSplitter(Qt::Horizontal, this);
    m_split->setObjectName(QStringLiteral("editorSplitter"));
    m_split->addWidget(buildBody());
    m_split->addWidget(m_side);
    m_split->setStretchFactor(0, 3);
    m_split->setStretchFactor(1, 1);
    m_split->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_messageBar);
    layout->addWidget(m_banner->frame);
    layout->addWidget(buildHeader());
    layout->addWidget(m_split, 1);

    connect(m_metadata, &MetadataEditor::changed, this, [this] { edited(m_metadata); });
    connect(m_versions, &VersionsPanel::restoreRequested, this, &ContentEditor::restoreVersion);
}

QWidget *ContentEditor::buildHeader()
{
    auto *header = new QWidget(this);
    auto *titleLabel = new QLabel(tr("T&itle:"), header);
    m_title = new QLineEdit(header);
    m_title->setObjectName(QStringLiteral("titleEdit"));
    m_title->setAccessibleName(tr("Title"));
    m_title->setPlaceholderText(tr("Title"));
    m_title->setToolTip(tr("The item's title (required, up to 300 characters)"));
    m_title->setMaxLength(300);
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.35);
    big.setWeight(QFont::DemiBold);
    m_title->setFont(big);
    titleLabel->setBuddy(m_title);

    m_status = new QLabel(header);
    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setAccessibleName(tr("Status"));
    m_status->setStyleSheet(QStringLiteral(
        "QLabel { border: 1px solid palette(mid); border-radius: 8px; padding: 1px 8px; }"));
    m_saveState = new QLabel(header);
    m_saveState->setObjectName(QStringLiteral("saveState"));
    m_saveState->setAccessibleName(tr("Save state"));
    m_saveState->setMinimumWidth(
        m_saveState->fontMetrics().horizontalAdvance(QStringLiteral("Unsaved changes  ")));

    auto *row = new QHBoxLayout(header);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(titleLabel);
    row->addWidget(m_title, 1);
    row->addWidget(m_status);
    row->addWidget(m_saveState);

    const struct
    {
        Move move;
        const char *name;
        QString text;
        QString tip;
    } moves[] = {
        {Move::Submit, "submitButton", tr("&Submit for review"),
         tr("Ask an editor to review and publish the item")},
        {Move::Publish, "publishButton", tr("&Publish"), tr("Publish the item now")},
        {Move::Reject, "rejectButton", tr("&Reject\u2026"),
         tr("Send the item back to its author as a draft, with a comment")},
        {Move::Unpublish, "unpublishButton", tr("&Unpublish"),
         tr("Take the item off the site; it becomes a draft again")},
        {Move::Archive, "archiveButton", tr("Ar&chive"),
         tr("Withdraw the item and keep it in the archive")},
        {Move::RestoreToDraft, "restoreButton", tr("Re&store to draft"),
         tr("Bring the item back from the archive as a draft")},
    };
    for (const auto &m : moves) {
        auto *button = new QPushButton(m.text, header);
        button->setObjectName(QLatin1String(m.name));
        button->setAccessibleName(QString(m.text).remove(QLatin1Char('&')).remove(QChar(0x2026)));
        button->setToolTip(m.tip);
        button->setVisible(false);
        if (m.move == Move::Publish) {
            button->setDefault(false);
        }
        row->addWidget(button);
        const Move move = m.move;
        connect(button, &QPushButton::clicked, this, [this, move] { requestMove(move); });
        m_moves.insert(int(m.move), button);
    }
    connect(m_title, &QLineEdit::textChanged, this, [this] { edited(m_title); });
    return header;
}

QWidget *ContentEditor::buildDetails()
{
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *page = new QWidget(scroll);
    auto *form = new QFormLayout(page);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);

    m_slug = new QLineEdit(page);
    m_slug->setObjectName(QStringLiteral("slugEdit"));
    m_slug->setAccessibleName(tr("Slug"));
    m_slug->setPlaceholderText(tr("made from the title"));
    m_slug->setToolTip(tr("The item's address: lower-case letters and digits joined by "
                          "hyphens. Left empty, it is made from the title."));
    m_slug->setMaxLength(120);
    auto *slugLabel = new QLabel(tr("S&lug:"), page);
    slugLabel->setBuddy(m_slug);
    form->addRow(slugLabel, m_slug);

    m_description = new QPlainTextEdit(page);
    m_description->setObjectName(QStringLiteral("descriptionEdit"));
    m_description->setAccessibleName(tr("Description"));
    m_description->setPlaceholderText(tr("A sentence or two for listings and search results"));
    m_description->setToolTip(tr("Up to 2000 characters"));
    m_description->setTabChangesFocus(true);
    m_description->setFixedHeight(m_description->fontMetrics().lineSpacing() * 4 + 12);
    auto *descriptionLabel = new QLabel(tr("&Description:"), page);
    descriptionLabel->setBuddy(m_description);
    form->addRow(descriptionLabel, m_description);

    m_type = new QComboBox(page);
    m_type->setObjectName(QStringLiteral("typeCombo"));
    m_type->setAccessibleName(tr("Type"));
    m_type->setToolTip(tr("What kind of item this is"));
    for (const auto &[type, label] : {std::pair{ContentType::Article, tr("Article")},
                                      std::pair{ContentType::Video, tr("Video")},
                                      std::pair{ContentType::Gallery, tr("Gallery")},
                                      std::pair{ContentType::Podcast, tr("Podcast")}}) {
        m_type->addItem(label, contentTypeName(type));
    }
    auto *typeLabel = new QLabel(tr("T&ype:"), page);
    typeLabel->setBuddy(m_type);
    form->addRow(typeLabel, m_type);

    m_tags = new TagsEdit(page);
    m_tags->setObjectName(QStringLiteral("tagsEdit"));
    auto *tagsLabel = new QLabel(tr("T&ags:"), page);
    tagsLabel->setBuddy(m_tags);
    form->addRow(tagsLabel, m_tags);

    m_categories = new CategoryPicker(page);
    m_categories->setObjectName(QStringLiteral("categoryPicker"));
    auto *categoriesLabel = new QLabel(tr("Cate&gories:"), page);
    categoriesLabel->setBuddy(m_categories);
    form->addRow(categoriesLabel, m_categories);

    const QDateTime inAnHour = QDateTime::currentDateTime().addSecs(3600);
    const auto scheduleRow = [&](QCheckBox *&check, QDateTimeEdit *&edit, const QString &text,
                                 const char *checkName, const char *editName, const QString &tip) {
        check = new QCheckBox(text, page);
        check->setObjectName(QLatin1String(checkName));
        check->setAccessibleName(QString(text).remove(QLatin1Char('&')).remove(QLatin1Char(':')));
        check->setToolTip(tip);
        edit = new QDateTimeEdit(inAnHour, page);
        edit->setObjectName(QLatin1String(editName));
        edit->setAccessibleName(QString(text).remove(QLatin1Char('&')).remove(QLatin1Char(':')));
        edit->setToolTip(tip);
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QLocale().dateTimeFormat(QLocale::ShortFormat));
        edit->setEnabled(false);
        form->addRow(check, edit);
        QDateTimeEdit *target = edit;
        connect(check, &QCheckBox::toggled, this, [this, target, check](bool on) {
            target->setEnabled(on && check->isEnabled());
            edited(target);
        });
        connect(edit, &QDateTimeEdit::dateTimeChanged, this, [this, target] { edited(target); });
    };
    scheduleRow(m_publishAtOn, m_publishAt, tr("Publish a&t:"), "publishAtCheck", "publishAtEdit",
                tr("Publish the item automatically at this time"));
    scheduleRow(m_unpublishAtOn, m_unpublishAt, tr("U&npublish at:"), "unpublishAtCheck",
                "unpublishAtEdit", tr("Withdraw the item automatically at this time"));
    m_scheduleHint = new QLabel(page);
    m_scheduleHint->setWordWrap(true);
    m_scheduleHint->setForegroundRole(QPalette::PlaceholderText);
    form->addRow(m_scheduleHint);

    scroll->setWidget(page);

    connect(m_slug, &QLineEdit::textEdited, this, [this] { m_slugEdited = true; });
    connect(m_slug, &QLineEdit::textChanged, this, [this] { edited(m_slug); });
    connect(m_description, &QPlainTextEdit::textChanged, this, [this] { edited(m_description); });
    connect(m_type, &QComboBox::currentIndexChanged, this, [this] { edited(m_type); });
    connect(m_tags, &TagsEdit::tagsChanged, this, [this] { edited(m_tags); });
    connect(m_categories, &CategoryPicker::changed, this, [this] { edited(m_categories); });
    return scroll;
}

QWidget *ContentEditor::buildBody()
{
    auto *pane = new QWidget(this);
    auto *bodyLabel = new QLabel(tr("&Body (Markdown):"), pane);
    m_body = new QPlainTextEdit(pane);
    m_body->setObjectName(QStringLiteral("bodyEdit"));
    m_body->setAccessibleName(tr("Body"));
    m_body->setPlaceholderText(tr("Write in Markdown: # Heading, *emphasis*, **strong**, "
                                  "`code`, [link](https://\u2026), - list, > quote"));
    m_body->setToolTip(
        tr("The item's body in Markdown; the preview beside it follows as you type"));
    m_body->setTabChangesFocus(false);
    bodyLabel->setBuddy(m_body);
    QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    fixed.setPointSizeF(m_body->font().pointSizeF());
    m_body->setFont(fixed);
    m_highlighter = new MarkdownHighlighter(m_body->document());
    m_highlighter->setPalette(m_body->palette());

    m_undo = new QToolButton(pane);
    m_undo->setObjectName(QStringLiteral("undoButton"));
    m_undo->setIcon(QIcon::fromTheme(QStringLiteral("edit-undo")));
    m_undo->setText(tr("Undo"));
    m_undo->setAccessibleName(tr("Undo"));
    m_undo->setToolTip(
        tr("Undo the last change to the body (%1)")
            .arg(QKeySequence(QKeySequence::Undo).toString(QKeySequence::NativeText)));
    m_undo->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_undo->setAutoRaise(true);
    m_undo->setEnabled(false);
    m_redo = new QToolButton(pane);
    m_redo->setObjectName(QStringLiteral("redoButton"));
    m_redo->setIcon(QIcon::fromTheme(QStringLiteral("edit-redo")));
    m_redo->setText(tr("Redo"));
    m_redo->setAccessibleName(tr("Redo"));
    m_redo->setToolTip(
        tr("Redo the change undone last (%1)")
            .arg(QKeySequence(QKeySequence::Redo).toString(QKeySequence::NativeText)));
    m_redo->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_redo->setAutoRaise(true);
    m_redo->setEnabled(false);
    connect(m_undo, &QToolButton::clicked, m_body, &QPlainTextEdit::undo);
    connect(m_redo, &QToolButton::clicked, m_body, &QPlainTextEdit::redo);
    connect(m_body, &QPlainTextEdit::undoAvailable, m_undo, &QToolButton::setEnabled);
    connect(m_body, &QPlainTextEdit::redoAvailable, m_redo, &QToolButton::setEnabled);

    m_preview = new QTextBrowser(pane);
    m_preview->setObjectName(QStringLiteral("preview"));
    m_preview->setAccessibleName(tr("Preview"));
    m_preview->setToolTip(tr("How the body reads once rendered"));
    m_preview->setOpenExternalLinks(true);
    m_preview->setPlaceholderText(tr("The preview of the body appears here."));

    auto *split = new QSplitter(Qt::Horizontal, pane);
    split->setObjectName(QStringLiteral("bodySplitter"));
    split->addWidget(m_body);
    split->addWidget(m_preview);
    split->setChildrenCollapsible(false);

    auto *bar = new QHBoxLayout;
    bar->addWidget(bodyLabel);
    bar->addStretch(1);
    bar->addWidget(m_undo);
    bar->addWidget(m_redo);
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(split, 1);

    connect(m_body, &QPlainTextEdit::textChanged, this, [this] {
        m_previewTimer.start();
        edited(m_body);
    });
    connect(m_body->verticalScrollBar(), &QScrollBar::valueChanged, this,
            &ContentEditor::syncPreviewScroll);
    return pane;
}

// -- Loading and showing --------------------------------------------------

void ContentEditor::load()
{
    const Actor actor = m_gateway.actor();
    const QString id = m_item.id;
    m_gateway.run(
        this, [&gateway = m_gateway, actor, id] { return gateway.content().get(actor, id); },
        [this](Result<ContentItem> item) {
            if (!item) {
                m_messageBar->showError(item.error(), tr("Could not open the item"));
                setState(SaveState::Failed, MessageBar::describe(item.error()));
                return;
            }
            m_item = *item;
            m_exists = true;
            m_loaded = true;
            populate(m_item);
            m_banner->frame->hide();
            clearMarks();
            setState(SaveState::Saved);
            m_versions->setItemId(m_item.id);
        });
}

void ContentEditor::reload()
{
    m_autosave.stop();
    if (!m_exists) {
        populate(m_item);
        return;
    }
    if (m_saving) {
        m_afterSave = [this] { reload(); };
        return;
    }
    load();
}

void ContentEditor::loadTaxonomy()
{
    const Actor actor = m_gateway.actor();
    m_gateway.run(
        this, [&gateway = m_gateway, actor] { return gateway.content().categories(actor); },
        [this](Result<std::vector<Category>> categories) {
            if (!categories) {
                m_messageBar->showError(categories.error(), tr("Could not read the categories"));
                return;
            }
            m_categories->setCategories(*categories);
            m_versions->setCategoryNames(m_categories->names());
        });
    m_gateway.run(
        this, [&gateway = m_gateway, actor] { return gateway.content().tags(actor); },
        [this](Result<std::vector<TagCount>> tags) {
            if (!tags) {
                return; // completion is a help; typing tags still works
            }
            QStringList known;
            for (const TagCount &t : *tags) {
                known << t.tag;
            }
            m_tags->setKnownTags(known);
        });
}

void ContentEditor::populate(const ContentItem &item, const ContentChange *keep)
{
    m_populating = true;
    if (!keep || !keep->title) {
        m_title->setText(item.title);
    }
    if (!keep || !keep->slug) {
        m_slug->setText(item.slug);
        m_slugEdited = false;
    }
    if ((!keep || !keep->description) && m_description->toPlainText() != item.description) {
        m_description->setPlainText(item.description);
    }
    if ((!keep || !keep->body) && m_body->toPlainText() != item.body) {
        m_body->setPlainText(item.body);
    }
    if (!keep || !keep->type) {
        m_type->setCurrentIndex(std::max(0, m_type->findData(contentTypeName(item.type))));
    }
    if (!keep || !keep->categories) {
        m_categories->setCheckedIds(item.categories);
    }
    if (!keep || !keep->tags) {
        m_tags->setTags(item.tags);
    }
    if (!keep || !keep->metadata) {
        m_metadata->setMetadata(item.metadata);
    }
    const QDateTime inAnHour = QDateTime::currentDateTime().addSecs(3600);
    if (!keep || !keep->publishAtMs) {
        m_publishAtOn->setChecked(item.publishAtMs > 0);
        m_publishAt->setDateTime(
            item.publishAtMs > 0 ? QDateTime::fromMSecsSinceEpoch(item.publishAtMs) : inAnHour);
    }
    if (!keep || !keep->unpublishAtMs) {
        m_unpublishAtOn->setChecked(item.unpublishAtMs > 0);
        m_unpublishAt->setDateTime(item.unpublishAtMs > 0
                                       ? QDateTime::fromMSecsSinceEpoch(item.unpublishAtMs)
                                       : inAnHour.addDays(30));
    }
    m_populating = false;
    m_previewTimer.stop();
    updatePreview();
    updateEditability();
    updateWorkflow();
}

// -- What is unsaved ------------------------------------------------------

ContentChange ContentEditor::pendingChange() const
{
    ContentChange c;
    if (!m_loaded) {
        return c;
    }
    const QString title = m_title->text();
    if (title.trimmed() != m_item.title) {
        c.title = title;
    }
    const QString slug = m_slug->text().trimmed();
    if (m_exists ? slug != m_item.slug : m_slugEdited && !slug.isEmpty()) {
        c.slug = slug;
    }
    const QString description = m_description->toPlainText();
    if (description.trimmed() != m_item.description) {
        c.description = description;
    }
    const QString body = m_body->toPlainText();
    if (body != m_item.body) {
        c.body = body;
    }
    const ContentType type =
        parseContentType(m_type->currentData().toString()).value_or(ContentType::Article);
    if (type != m_item.type) {
        c.type = type;
    }
    if (auto metadata = m_metadata->metadata(); metadata && *metadata != m_item.metadata) {
        c.metadata = *metadata;
    }
    const QStringList tags = m_tags->tags();
    if (sorted(tags) != sorted(m_item.tags)) {
        c.tags = tags;
    }
    const QStringList categories = m_categories->checkedIds();
    if (categories != sorted(m_item.categories)) {
        c.categories = categories;
    }
    if (m_publishAtOn->isEnabled()) {
        const qint64 at =
            m_publishAtOn->isChecked() ? m_publishAt->dateTime().toMSecsSinceEpoch() : 0;
        if (!sameMinute(at, m_item.publishAtMs)) {
            c.publishAtMs = at;
        }
    }
    if (m_unpublishAtOn->isEnabled()) {
        const qint64 at =
            m_unpublishAtOn->isChecked() ? m_unpublishAt->dateTime().toMSecsSinceEpoch() : 0;
        if (!sameMinute(at, m_item.unpublishAtMs)) {
            c.unpublishAtMs = at;
        }
    }
    return c;
}

bool ContentEditor::hasContent() const
{
    return !m_title->text().trimmed().isEmpty() || !m_body->toPlainText().isEmpty() ||
           !m_description->toPlainText().trimmed().isEmpty() || !m_tags->tags().isEmpty() ||
           !m_categories->checkedIds().isEmpty() || m_metadata->table()->rowCount() > 0;
}

bool ContentEditor::hasUnsavedChanges() const
{
    if (!m_loaded) {
        return false;
    }
    if (!m_exists) {
        return hasContent();
    }
    return !m_metadata->isValid() || !pendingChange().isEmpty();
}

QString ContentEditor::displayTitle() const
{
    const QString title = m_title->text().trimmed();
    return (title.isEmpty() ? tr("Untitled") : title) +
           (hasUnsavedChanges() || m_state == SaveState::Saving ? QStringLiteral(" \u2022")
                                                                : QString());
}

QString ContentEditor::saveStateText() const
{
    switch (m_state) {
    case SaveState::Saving:
        return tr("Saving\u2026");
    case SaveState::Unsaved:
        return tr("Unsaved changes");
    case SaveState::Failed:
        return m_stateDetail.isEmpty() ? tr("Not saved") : tr("Not saved: %1").arg(m_stateDetail);
    case SaveState::Saved:
        if (!m_exists) {
            return tr("New \u2014 not saved yet");
        }
        if (!m_loaded) {
            return tr("Opening\u2026");
        }
        return m_savedAtMs > 0
                   ? tr("Saved at %1")
                         .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(m_savedAtMs).time(),
                                                 QLocale::ShortFormat))
                   : tr("Saved");
    }
    return {};
}

void ContentEditor::setState(SaveState state, const QString &detail)
{
    const bool changed = state != m_state || detail != m_stateDetail;
    m_state = state;
    m_stateDetail = detail;
    const QString text = saveStateText();
    m_saveState->setText(state == SaveState::Failed ? tr("Not saved") : text);
    m_saveState->setToolTip(m_exists ? tr("%1 \u2014 version %2").arg(text).arg(m_item.version)
                                     : text);
    m_saveState->setAccessibleDescription(text);
    static const char *const colours[] = {"", "", "", "color: rgb(200, 40, 40); font-weight: 600;"};
    m_saveState->setStyleSheet(QLatin1String(colours[int(state)]));
    m_saveState->setForegroundRole(state == SaveState::Saved ? QPalette::PlaceholderText
                                                             : QPalette::WindowText);
    if (changed) {
        emit saveStateChanged();
    }
    const QString title = displayTitle();
    if (title != m_lastTitle) {
        m_lastTitle = title;
        emit titleChanged(title);
    }
}

void ContentEditor::refreshState()
{
    if (m_saving) {
        setState(SaveState::Saving);
    } else {
        setState(hasUnsavedChanges() ? SaveState::Unsaved : SaveState::Saved);
    }
}

void ContentEditor::edited(QWidget *source)
{
    if (m_populating || !m_loaded) {
        return;
    }
    if (source && source->property(kInvalid).toBool()) {
        for (const QString &field :
             {QStringLiteral("title"), QStringLiteral("slug"), QStringLiteral("description"),
              QStringLiteral("body"), QStringLiteral("type"), QStringLiteral("tags"),
              QStringLiteral("categories"), QStringLiteral("metadata"), QStringLiteral("publishAt"),
              QStringLiteral("unpublishAt")}) {
            markField(field, false);
        }
    }
    refreshState();
    if (hasUnsavedChanges()) {
        m_autosave.start(m_autosaveDelay);
    } else {
        m_autosave.stop();
    }
}

void ContentEditor::setAutosaveDelay(int ms)
{
    m_autosaveDelay = std::max(0, ms);
    if (m_autosave.isActive()) {
        m_autosave.start(m_autosaveDelay);
    }
}

// -- Saving ---------------------------------------------------------------

bool ContentEditor::validateLocally()
{
    if (m_title->text().trimmed().isEmpty()) {
        handleError(Error::invalid(tr("a title is required"), QStringLiteral("title")),
                    tr("Not saved"));
        return false;
    }
    if (auto metadata = m_metadata->metadata(); !metadata) {
        handleError(metadata.error(), tr("Not saved"));
        return false;
    }
    return true;
}

void ContentEditor::save()
{
    m_autosave.stop();
    if (!m_loaded) {
        return;
    }
    if (m_saving) {
        m_saveQueued = true;
        return;
    }
    if (!hasUnsavedChanges()) {
        if (m_state != SaveState::Saved) {
            refreshState();
        }
        if (m_afterSave && m_exists) {
            std::exchange(m_afterSave, {})();
        }
        return;
    }
    if (!validateLocally()) {
        m_afterSave = {};
        return;
    }
    runSave(pendingChange(), tr("Could not save"));
}

void ContentEditor::runSave(ContentChange change, const QString &context)
{
    m_saving = true;
    ++m_saveSerial;
    setState(SaveState::Saving);
    updateWorkflow();
    const Actor actor = m_gateway.actor();
    if (!m_exists) {
        const ContentDraft draft = change.toDraft();
        m_gateway.run(
            this,
            [&gateway = m_gateway, actor, draft] { return gateway.content().create(actor, draft); },
            [this, context](Result<ContentItem> item) {
                saveFinished(std::move(item), context, true);
            });
        return;
    }
    change.expectedVersion = m_item.version;
    change.baseBodyHash = m_item.bodyHash;
    const QString id = m_item.id;
    m_gateway.run(
        this,
        [&gateway = m_gateway, actor, id, change] {
            return gateway.content().update(actor, id, change);
        },
        [this, context](Result<ContentItem> item) {
            saveFinished(std::move(item), context, false);
        });
}

void ContentEditor::saveFinished(Result<ContentItem> result, const QString &context, bool created)
{
    m_saving = false;
    if (!result) {
        m_saveQueued = false;
        m_afterSave = {};
        handleError(result.error(), context);
        updateWorkflow();
    } else {
        m_item = *result;
        m_exists = true;
        if (created) {
            m_populating = true;
            if (!m_slugEdited || m_slug->text().trimmed().isEmpty()) {
                m_slug->setText(m_item.slug);
            }
            m_populating = false;
            m_versions->setItemId(m_item.id);
        } else {
            m_versions->setCurrentVersion(m_item.version);
        }
        m_savedAtMs = QDateTime::currentMSecsSinceEpoch();
        if (m_messageBar->kind() == MessageBar::Kind::Error) {
            m_messageBar->clear();
        }
        clearMarks();
        m_banner->frame->hide();
        updateEditability();
        updateWorkflow();
        refreshState();
        emit saved(m_item.id);
        if (hasUnsavedChanges()) {
            m_autosave.start(m_autosaveDelay);
        }
    }
    if (m_saveQueued) {
        m_saveQueued = false;
        save();
    } else if (result && m_afterSave) {
        std::exchange(m_afterSave, {})();
    }
    if (m_checkAfterSave && !m_saving) {
        m_checkAfterSave = false;
        m_remoteTimer.start();
    }
}

void ContentEditor::handleError(const Error &error, const QString &context)
{
    if (error.code == ErrorCode::PreconditionFailed) {
        showConflict(error);
        setState(SaveState::Failed, tr("the item was changed elsewhere"));
        return;
    }
    m_messageBar->showError(error, context);
    markField(error.field, true);
    setState(SaveState::Failed, MessageBar::describe(error));
}

static QWidget *fieldWidgetOf(const QString &field, QWidget *title, QWidget *slug,
                              QWidget *description, QWidget *body, QWidget *type, QWidget *tags,
                              QWidget *categories, QWidget *metadata, QWidget *publishAt,
                              QWidget *unpublishAt)
{
    const QHash<QString, QWidget *> widgets{{QStringLiteral("title"), title},
                                            {QStringLiteral("slug"), slug},
                                            {QStringLiteral("description"), description},
                                            {QStringLiteral("body"), body},
                                            {QStringLiteral("type"), type},
                                            {QStringLiteral("tags"), tags},
                                            {QStringLiteral("categories"), categories},
                                            {QStringLiteral("metadata"), metadata},
                                            {QStringLiteral("publishAt"), publishAt},
                                            {QStringLiteral("unpublishAt"), unpublishAt}};
    return widgets.value(field);
}

void ContentEditor::markField(const QString &field, bool invalid)
{
    QWidget *w = fieldWidgetOf(field, m_title, m_slug, m_description, m_body, m_type, m_tags,
                               m_categories, m_metadata, m_publishAt, m_unpublishAt);
    if (!w || w->property(kInvalid).toBool() == invalid) {
        return;
    }
    w->setProperty(kInvalid, invalid);
    // The frame of the field at fault turns red; the message says why.
    QWidget *framed = w == m_categories ? static_cast<QWidget *>(m_categories->tree())
                      : w == m_metadata ? static_cast<QWidget *>(m_metadata->table())
                                        : w;
    framed->setStyleSheet(invalid ? QStringLiteral("%1 { border: 2px solid rgb(220, 50, 47); }")
                                        .arg(QLatin1String(framed->metaObject()->className()))
                                  : QString());
    w->setAccessibleDescription(invalid ? m_messageBar->text() : QString());
    if (invalid) {
        // Show the field: it may be on a tab not in view.
        if (w == m_metadata) {
            m_side->setCurrentWidget(m_metadata);
        } else if (w != m_title && w != m_body) {
            m_side->setCurrentIndex(0);
        }
    }
}

void ContentEditor::clearMarks()
{
    for (const QString &field :
         {QStringLiteral("title"), QStringLiteral("slug"), QStringLiteral("description"),
          QStringLiteral("body"), QStringLiteral("type"), QStringLiteral("tags"),
          QStringLiteral("categories"), QStringLiteral("metadata"), QStringLiteral("publishAt"),
          QStringLiteral("unpublishAt")}) {
        markField(field, false);
    }
}

void ContentEditor::waitWhileSaving()
{
    QEventLoop loop;
    connect(this, &ContentEditor::saveStateChanged, &loop, [this, &loop] {
        if (!m_saving) {
            loop.quit();
        }
    });
    QTimer::singleShot(kLongestWaitMs, &loop, &QEventLoop::quit);
    if (m_saving) {
        loop.exec();
    }
}

bool ContentEditor::maybeClose()
{
    m_autosave.stop();
    for (;;) {
        for (int i = 0; i < 3 && m_saving; ++i) {
            waitWhileSaving();
        }
        if (!hasUnsavedChanges()) {
            return true;
        }
        if (!m_saving) {
            save();
            for (int i = 0; i < 3 && m_saving; ++i) {
                waitWhileSaving();
            }
            if (!hasUnsavedChanges()) {
                return true;
            }
        }
        m_autosave.stop();
        QMessageBox box(QMessageBox::Warning, tr("Unsaved changes"),
                        tr("\u201c%1\u201d could not be saved.")
                            .arg(m_title->text().trimmed().isEmpty() ? tr("Untitled")
                                                                     : m_title->text().trimmed()),
                        QMessageBox::NoButton, this);
        box.setObjectName(QStringLiteral("unsavedChangesDialog"));
        box.setInformativeText(
            (m_stateDetail.isEmpty() ? QString() : m_stateDetail + QStringLiteral("\n\n")) +
            tr("Try saving again, discard your unsaved changes, or go back to the editor."));
        QPushButton *again = box.addButton(tr("&Save Again"), QMessageBox::AcceptRole);
        again->setObjectName(QStringLiteral("saveAgainButton"));
        QPushButton *discard = box.addButton(QMessageBox::Discard);
        discard->setObjectName(QStringLiteral("discardButton"));
        QPushButton *cancel = box.addButton(QMessageBox::Cancel);
        cancel->setObjectName(QStringLiteral("cancelButton"));
        box.setDefaultButton(again);
        box.setEscapeButton(cancel);
        box.exec();
        if (box.clickedButton() == discard) {
            m_autosave.stop();
            return true;
        }
        if (box.clickedButton() != again) {
            return false;
        }
    }
}

// -- Workflow -------------------------------------------------------------

bool ContentEditor::isOwn() const
{
    return !m_exists || m_item.authorId == m_gateway.actor().userId;
}

bool ContentEditor::mayEditFields() const
{
    if (!m_exists) {
        return m_gateway.may(Action::ContentCreate);
    }
    if (!m_gateway.may(isOwn() ? Action::ContentEditOwn : Action::ContentEditAny)) {
        return false;
    }
    return m_gateway.may(Action::ContentEditAny) || m_item.status == ContentStatus::Draft;
}

bool ContentEditor::mayMove(ContentStatus from, ContentStatus to) const
{
    const auto action = transitionAction(from, to);
    if (!action || !m_gateway.may(*action)) {
        return false;
    }
    return m_gateway.may(isOwn() ? Action::ContentEditOwn : Action::ContentEditAny);
}

void ContentEditor::updateWorkflow()
{
    const ContentStatus from = m_exists ? m_item.status : ContentStatus::Draft;
    const auto show = [&](Move move, bool visible) {
        QPushButton *button = m_moves.value(int(move));
        button->setVisible(visible);
        button->setEnabled(m_loaded && !m_saving);
    };
    show(Move::Submit, mayMove(from, ContentStatus::Review));
    show(Move::Publish, mayMove(from, ContentStatus::Published));
    show(Move::Reject, from == ContentStatus::Review && mayMove(from, ContentStatus::Draft));
    show(Move::Unpublish, from == ContentStatus::Published && mayMove(from, ContentStatus::Draft));
    show(Move::Archive, m_exists && mayMove(from, ContentStatus::Archived));
    show(Move::RestoreToDraft,
         from == ContentStatus::Archived && mayMove(from, ContentStatus::Draft));

    QString status = m_exists ? statusText(m_item.status) : tr("New");
    QString tip = status;
    if (m_exists && m_item.status == ContentStatus::Published && m_item.publishedAtMs > 0) {
        tip = tr("Published %1").arg(shortDateTime(m_item.publishedAtMs));
    }
    if (m_exists && m_item.publishAtMs > 0 && m_item.status != ContentStatus::Published) {
        tip += QStringLiteral("; ") + tr("publishes %1").arg(shortDateTime(m_item.publishAtMs));
    }
    if (!mayEditFields() && m_exists) {
        tip += QStringLiteral("; ") + (m_gateway.may(Action::ContentEditOwn) && isOwn()
                                           ? tr("editors edit it until it is a draft again")
                                           : tr("your role may not edit it"));
    }
    m_status->setText(status);
    m_status->setToolTip(tip);
    m_status->setAccessibleDescription(tip);
}

void ContentEditor::updateEditability()
{
    const bool editable = mayEditFields();
    m_title->setReadOnly(!editable);
    m_slug->setReadOnly(!editable);
    m_description->setReadOnly(!editable);
    m_body->setReadOnly(!editable);
    m_type->setEnabled(editable);
    m_tags->setReadOnly(!editable);
    m_categories->setReadOnly(!editable);
    m_metadata->setReadOnly(!editable);
    const bool mayPublish = m_gateway.may(Action::ContentPublish);
    const bool publishable = !m_exists || m_item.status == ContentStatus::Draft ||
                             m_item.status == ContentStatus::Review;
    const bool mayPublishAt = editable && mayPublish && publishable;
    const bool mayUnpublishAt = editable && mayPublish && m_item.status != ContentStatus::Archived;
    m_publishAtOn->setEnabled(mayPublishAt);
    m_publishAt->setEnabled(mayPublishAt && m_publishAtOn->isChecked());
    m_unpublishAtOn->setEnabled(mayUnpublishAt);
    m_unpublishAt->setEnabled(mayUnpublishAt && m_unpublishAtOn->isChecked());
    m_scheduleHint->setText(!mayPublish ? tr("Editors and admins schedule publication.")
                            : !publishable
                                ? tr("Only drafts and items in review can be scheduled to publish.")
                                : QString());
    m_scheduleHint->setVisible(!m_scheduleHint->text().isEmpty());
    m_versions->setRestoreAllowed(m_exists && editable);
}

void ContentEditor::requestMove(Move move)
{
    switch (move) {
    case Move::Submit:
        moveTo(ContentStatus::Review, {}, tr("Could not submit for review"));
        return;
    case Move::Publish:
        moveTo(ContentStatus::Published, {}, tr("Could not publish"));
        return;
    case Move::Unpublish:
        moveTo(ContentStatus::Draft, {}, tr("Could not unpublish"));
        return;
    case Move::Archive:
        moveTo(ContentStatus::Archived, {}, tr("Could not archive"));
        return;
    case Move::RestoreToDraft:
        moveTo(ContentStatus::Draft, {}, tr("Could not restore to draft"));
        return;
    case Move::Reject: {
        QInputDialog dialog(this);
        dialog.setObjectName(QStringLiteral("rejectDialog"));
        dialog.setWindowTitle(tr("Reject"));
        dialog.setLabelText(tr("What should the author change? The item goes back to them as "
                               "a draft with this comment (required)."));
        dialog.setOption(QInputDialog::UsePlainTextEditForTextInput);
        dialog.setOkButtonText(tr("&Reject"));
        if (dialog.exec() != QDialog::Accepted) {
            return;
        }
        const QString comment = dialog.textValue().trimmed();
        if (comment.isEmpty()) {
            m_messageBar->showError(
                Error::invalid(tr("a rejection needs a comment"), QStringLiteral("comment")),
                tr("Not rejected"));
            return;
        }
        moveTo(ContentStatus::Draft, comment, tr("Could not reject"));
        return;
    }
    }
}

void ContentEditor::moveTo(ContentStatus to, const QString &comment, const QString &context)
{
    if (m_saving) {
        m_afterSave = [this, to, comment, context] { moveTo(to, comment, context); };
        return;
    }
    m_autosave.stop();
    if (!m_exists) {
        // Created first; the move follows once the item exists.
        if (!validateLocally()) {
            return;
        }
        m_afterSave = [this, to, comment, context] { moveTo(to, comment, context); };
        save();
        return;
    }
    ContentChange change;
    if (mayEditFields() && hasUnsavedChanges()) {
        if (!validateLocally()) {
            return;
        }
        change = pendingChange(); // pending edits go with the move, in one step
    }
    change.status = to;
    change.comment = comment;
    runSave(change, context);
}

void ContentEditor::restoreVersion(int version)
{
    if (m_saving) {
        m_afterSave = [this, version] { restoreVersion(version); };
        return;
    }
    m_autosave.stop();
    m_saving = true;
    ++m_saveSerial;
    setState(SaveState::Saving);
    const Actor actor = m_gateway.actor();
    const QString id = m_item.id;
    const int expected = m_item.version;
    m_gateway.run(
        this,
        [&gateway = m_gateway, actor, id, version, expected] {
            return gateway.content().restore(actor, id, version, expected);
        },
        [this, version](Result<ContentItem> item) {
            m_saving = false;
            if (!item) {
                if (item.error().code == ErrorCode::PreconditionFailed) {
                    showConflict(item.error());
                } else {
                    m_versions->showError(item.error(),
                                          tr("Could not restore version %1").arg(version));
                }
                refreshState();
                return;
            }
            m_item = *item;
            populate(m_item); // the restored fields replace what was shown
            clearMarks();
            m_banner->frame->hide();
            m_savedAtMs = QDateTime::currentMSecsSinceEpoch();
            m_versions->setCurrentVersion(m_item.version);
            refreshState();
            emit saved(m_item.id);
            if (m_afterSave) {
                std::exchange(m_afterSave, {})();
            }
        });
}

// -- Changes made elsewhere -----------------------------------------------

void ContentEditor::remoteEvent(const Event &event)
{
    if (!m_exists || event.stream != QStringLiteral("content/") + m_item.id) {
        if (event.stream.startsWith(QLatin1String("category/"))) {
            loadTaxonomy();
        }
        return;
    }
    m_remoteActor = event.actorId;
    m_remoteAtMs =
        event.recordedAtMs > 0 ? event.recordedAtMs : QDateTime::currentMSecsSinceEpoch();
    m_remoteTimer.start();
}

void ContentEditor::checkRemote()
{
    if (m_saving || !m_loaded) {
        m_checkAfterSave = true;
        return;
    }
    const int serial = m_saveSerial;
    const Actor actor = m_gateway.actor();
    const QString id = m_item.id;
    m_gateway.run(
        this, [&gateway = m_gateway, actor, id] { return gateway.content().get(actor, id); },
        [this, serial](Result<ContentItem> current) {
            if (m_saving) {
                m_checkAfterSave = true;
                return;
            }
            if (serial != m_saveSerial) {
                m_remoteTimer.start(); // a save of ours finished meanwhile: look again
                return;
            }
            if (!current) {
                if (current.error().code == ErrorCode::NotFound) {
                    m_banner->label->setText(
                        tr("This item was deleted or hidden elsewhere by %1 at %2. Your "
                           "edits can no longer be saved to it.")
                            .arg(m_names->name(m_remoteActor), shortDateTime(m_remoteAtMs)));
                    m_banner->reload->hide();
                    m_banner->keepMine->hide();
                    m_banner->frame->show();
                }
                return;
            }
            m_versions->setCurrentVersion(current->version);
            if (current->version > m_item.version) {
                showRemoteChange(*current);
            }
        });
}

void ContentEditor::showRemoteChange(const ContentItem &current)
{
    const bool dirty = hasUnsavedChanges();
    QString text = tr("Changed elsewhere by %1 at %2 (now version %3).")
                       .arg(m_names->name(m_remoteActor), shortDateTime(m_remoteAtMs))
                       .arg(current.version);
    text += QLatin1Char(' ') +
            (dirty ? tr("Reloading discards your unsaved edits; Keep mine saves the fields you "
                        "changed over it.")
                   : tr("Reload to see the changes."));
    m_banner->label->setText(text);
    m_banner->frame->setAccessibleDescription(text);
    m_banner->reload->show();
    m_banner->keepMine->setVisible(dirty && mayEditFields());
    m_banner->frame->show();
}

void ContentEditor::showConflict(const Error &error)
{
    QString text = tr("Not saved: this item was changed elsewhere since you opened it.");
    if (!error.message.isEmpty()) {
        text += QStringLiteral(" (%1)").arg(error.message);
    }
    text += QLatin1Char(' ') + tr("Reload to see it (your unsaved edits are discarded), or keep "
                                  "yours and save the fields you changed over it.");
    m_banner->label->setText(text);
    m_banner->frame->setAccessibleDescription(text);
    m_banner->reload->show();
    m_banner->keepMine->setVisible(mayEditFields());
    m_banner->frame->show();
}

void ContentEditor::reloadFromBanner()
{
    m_banner->frame->hide();
    reload();
}

void ContentEditor::keepMine()
{
    if (m_saving) {
        m_afterSave = [this] { keepMine(); };
        return;
    }
    m_autosave.stop();
    const Actor actor = m_gateway.actor();
    const QString id = m_item.id;
    m_gateway.run(
        this, [&gateway = m_gateway, actor, id] { return gateway.content().get(actor, id); },
        [this](Result<ContentItem> current) {
            if (!current) {
                m_messageBar->showError(current.error(), tr("Could not read the item"));
                return;
            }
            // What I changed against the version I started from stays; the
            // rest is taken from the new version, which becomes the base.
            const ContentChange mine = pendingChange();
            m_item = *current;
            populate(m_item, &mine);
            m_banner->frame->hide();
            m_versions->setCurrentVersion(m_item.version);
            if (hasUnsavedChanges()) {
                save();
            } else {
                refreshState();
            }
        });
}

// -- Preview --------------------------------------------------------------

void ContentEditor::updatePreview()
{
    // The preview keeps its place in proportion to the editor's.
    m_preview->setMarkdown(m_body->toPlainText());
    syncPreviewScroll();
}

void ContentEditor::syncPreviewScroll()
{
    const QScrollBar *from = m_body->verticalScrollBar();
    QScrollBar *to = m_preview->verticalScrollBar();
    if (from->maximum() <= 0) {
        to->setValue(0);
        return;
    }
    const double fraction = double(from->value()) / double(from->maximum());
    to->setValue(int(fraction * to->maximum() + 0.5));
}

void ContentEditor::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange && m_highlighter) {
        m_highlighter->setPalette(palette());
    }
    QWidget::changeEvent(event);
}

} // namespace colophon
