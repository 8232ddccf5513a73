// SPDX-License-Identifier: MIT
#include "ui/editor/versionspanel.h"

#include "services/content/contentservice.h"
#include "ui/core/actornames.h"
#include "ui/core/messagebar.h"
#include "ui/core/servicegateway.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <algorithm>

namespace colophon {

namespace {

constexpr int kNumberRole = Qt::UserRole;
constexpr int kActorRole = Qt::UserRole + 1;
constexpr int kAtRole = Qt::UserRole + 2;
constexpr int kWhatRole = Qt::UserRole + 3;
constexpr qsizetype kMaxShownBody = 20000;
constexpr qint64 kMaxDiffCells = 4'000'000;
constexpr int kContext = 3;

// The fields in the order people read an item.
const QStringList &fieldOrder()
{
    static const QStringList order{
        QStringLiteral("title"),       QStringLiteral("slug"),      QStringLiteral("description"),
        QStringLiteral("type"),        QStringLiteral("status"),    QStringLiteral("categories"),
        QStringLiteral("tags"),        QStringLiteral("publishAt"), QStringLiteral("unpublishAt"),
        QStringLiteral("publishedAt"), QStringLiteral("metadata"),  QStringLiteral("mediaIds"),
        QStringLiteral("body")};
    return order;
}

QString fieldLabel(const QString &field)
{
    static const QHash<QString, QString> labels{
        {QStringLiteral("title"), QObject::tr("Title")},
        {QStringLiteral("slug"), QObject::tr("Slug")},
        {QStringLiteral("description"), QObject::tr("Description")},
        {QStringLiteral("type"), QObject::tr("Type")},
        {QStringLiteral("status"), QObject::tr("Status")},
        {QStringLiteral("categories"), QObject::tr("Categories")},
        {QStringLiteral("tags"), QObject::tr("Tags")},
        {QStringLiteral("publishAt"), QObject::tr("Publish at")},
        {QStringLiteral("unpublishAt"), QObject::tr("Unpublish at")},
        {QStringLiteral("publishedAt"), QObject::tr("Published at")},
        {QStringLiteral("metadata"), QObject::tr("Metadata")},
        {QStringLiteral("mediaIds"), QObject::tr("Media")},
        {QStringLiteral("body"), QObject::tr("Body")},
    };
    return labels.value(field, field);
}

// The fields of a JSON object, in reading order, unknown ones last.
QStringList orderedKeys(const nlohmann::json &object)
{
    QStringList keys;
    for (const QString &f : fieldOrder()) {
        if (object.contains(f.toStdString())) {
            keys << f;
        }
    }
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = QString::fromStdString(it.key());
        if (!keys.contains(key) && key != QLatin1String("authorId")) {
            keys << key;
        }
    }
    return keys;
}

// A value as plain text: lists joined, categories by name, nothing as a dash.
QString plain(const QString &field, const nlohmann::json &value,
              const QHash<QString, QString> &categories)
{
    if (value.is_null()) {
        return QStringLiteral("\u2014");
    }
    if (value.is_string()) {
        const QString s = QString::fromStdString(value.get<std::string>());
        return s.isEmpty() ? QStringLiteral("\u2014") : s;
    }
    if (value.is_array() && field != QLatin1String("metadata")) {
        QStringList parts;
        for (const auto &v : value) {
            const QString s = v.is_string() ? QString::fromStdString(v.get<std::string>())
                                            : QString::fromStdString(v.dump());
            parts << (field == QLatin1String("categories") ? categories.value(s, s) : s);
        }
        return parts.isEmpty() ? QStringLiteral("\u2014") : parts.join(QLatin1String(", "));
    }
    return QString::fromStdString(value.dump(2));
}

QString pre(const QString &text)
{
    return QStringLiteral("<pre style=\"margin:0; white-space:pre-wrap\">%1</pre>")
        .arg(text.toHtmlEscaped());
}

} // namespace

VersionsPanel::VersionsPanel(ServiceGateway &gateway, ActorNames &names, QWidget *parent)
    : QWidget(parent), m_gateway(gateway), m_names(names), m_list(new QListWidget(this)),
      m_diff(new QTextBrowser(this)), m_compare(new QPushButton(tr("Compare with &current"), this)),
      m_restore(new QPushButton(tr("Restore this &version\u2026"), this)), m_hint(new QLabel(this)),
      m_messageBar(new MessageBar(this))
{
    setAccessibleName(tr("Versions"));
    m_messageBar->setObjectName(QStringLiteral("versionsMessageBar"));
    m_list->setObjectName(QStringLiteral("versionsList"));
    m_list->setAccessibleName(tr("Versions of this item"));
    m_list->setToolTip(tr("Select a version to see it; select two (Ctrl+click) to compare them"));
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setAlternatingRowColors(true);
    m_diff->setObjectName(QStringLiteral("diffView"));
    m_diff->setAccessibleName(tr("Version details and differences"));
    m_diff->setOpenLinks(false);
    m_compare->setObjectName(QStringLiteral("compareWithCurrent"));
    m_compare->setAccessibleName(tr("Compare the selected version with the current one"));
    m_compare->setToolTip(tr("Show what changed between the selected version and now"));
    m_restore->setObjectName(QStringLiteral("restoreVersion"));
    m_restore->setAccessibleName(tr("Restore the selected version"));
    m_restore->setToolTip(tr("Make the selected version's fields current again, as a new "
                             "version; the status and schedule stay as they are"));
    m_hint->setWordWrap(true);
    m_hint->setForegroundRole(QPalette::PlaceholderText);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_list);
    split->addWidget(m_diff);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 2);
    split->setChildrenCollapsible(false);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_compare);
    buttons->addStretch(1);
    buttons->addWidget(m_restore);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_messageBar);
    layout->addWidget(m_hint);
    layout->addWidget(split, 1);
    layout->addLayout(buttons);

    connect(m_list, &QListWidget::itemSelectionChanged, this, [this] {
        updateButtons();
        showSelection();
    });
    connect(m_compare, &QPushButton::clicked, this, &VersionsPanel::compareWithCurrent);
    connect(m_restore, &QPushButton::clicked, this, &VersionsPanel::confirmRestore);
    connect(&m_names, &ActorNames::namesChanged, this, [this] {
        for (int i = 0; i < m_list->count(); ++i) {
            QListWidgetItem *item = m_list->item(i);
            item->setText(tr("Version %1 \u2014 %2\n%3, %4")
                              .arg(item->data(kNumberRole).toInt())
                              .arg(item->data(kWhatRole).toString(),
                                   m_names.name(item->data(kActorRole).toString()),
                                   shortDateTime(item->data(kAtRole).toLongLong())));
        }
    });
    setItemId({});
}

void VersionsPanel::setItemId(const QString &id)
{
    m_itemId = id;
    m_count = 0;
    m_list->clear();
    m_diff->clear();
    m_messageBar->clear();
    m_hint->setText(id.isEmpty() ? tr("The history starts when the item is first saved.")
                                 : tr("Select a version to see it; select two to compare them."));
    updateButtons();
    if (!id.isEmpty()) {
        reload();
    }
}

void VersionsPanel::setCurrentVersion(int version)
{
    m_wantedVersion = version;
    if (version != m_count && !m_itemId.isEmpty()) {
        reload();
    }
}

void VersionsPanel::setCategoryNames(const QHash<QString, QString> &names)
{
    m_categoryNames = names;
}

void VersionsPanel::setRestoreAllowed(bool allowed)
{
    m_restoreAllowed = allowed;
    updateButtons();
}

void VersionsPanel::showError(const Error &error, const QString &context)
{
    m_messageBar->showError(error, context);
}

void VersionsPanel::clearError()
{
    m_messageBar->clear();
}

void VersionsPanel::reload()
{
    if (m_itemId.isEmpty()) {
        return;
    }
    const Actor actor = m_gateway.actor();
    const QString id = m_itemId;
    m_gateway.run(
        this, [&gateway = m_gateway, actor, id] { return gateway.content().versions(actor, id); },
        [this, id](Result<std::vector<ContentVersion>> versions) {
            if (id != m_itemId) {
                return;
            }
            if (!versions) {
                m_messageBar->showError(versions.error(), tr("Could not read the history"));
                return;
            }
            const QList<int> selected = selectedVersions();
            m_count = int(versions->size());
            m_list->blockSignals(true);
            m_list->clear();
            for (auto it = versions->rbegin(); it != versions->rend(); ++it) {
                const QString what = describeChange(*it);
                auto *item = new QListWidgetItem(
                    tr("Version %1 \u2014 %2\n%3, %4")
                        .arg(it->number)
                        .arg(what, m_names.name(it->actorId), shortDateTime(it->atMs)),
                    m_list);
                item->setData(kNumberRole, it->number);
                item->setData(kActorRole, it->actorId);
                item->setData(kAtRole, it->atMs);
                item->setData(kWhatRole, what);
                item->setSelected(selected.contains(it->number));
            }
            m_list->blockSignals(false);
            updateButtons();
            showSelection();
        });
}

QList<int> VersionsPanel::selectedVersions() const
{
    QList<int> numbers;
    for (const QListWidgetItem *item : m_list->selectedItems()) {
        numbers << item->data(kNumberRole).toInt();
    }
    std::sort(numbers.begin(), numbers.end());
    return numbers;
}

void VersionsPanel::updateButtons()
{
    const QList<int> selected = selectedVersions();
    const bool one = selected.size() == 1;
    m_compare->setEnabled(one && selected.first() < m_count);
    m_restore->setEnabled(m_restoreAllowed && one && selected.first() < m_count);
    m_restore->setToolTip(!m_restoreAllowed
                              ? tr("Your role may not edit this item now")
                              : tr("Make the selected version's fields current again, as a new "
                                   "version; the status and schedule stay as they are"));
}

bool VersionsPanel::darkPalette() const
{
    return palette().color(QPalette::Base).lightness() < 128;
}

void VersionsPanel::showSelection()
{
    const QList<int> selected = selectedVersions();
    const int request = ++m_request;
    if (selected.isEmpty()) {
        m_diff->clear();
        return;
    }
    const Actor actor = m_gateway.actor();
    const QString id = m_itemId;
    const auto categories = m_categoryNames;
    const bool dark = darkPalette();
    if (selected.size() == 1) {
        const int n = selected.first();
        const QListWidgetItem *item = m_list->selectedItems().constFirst();
        const QString heading = QStringLiteral("<h3>%1</h3><p>%2</p>")
                                    .arg(tr("Version %1").arg(n),
                                         tr("%1 by %2, %3")
                                             .arg(item->data(kWhatRole).toString(),
                                                  m_names.name(item->data(kActorRole).toString()),
                                                  shortDateTime(item->data(kAtRole).toLongLong()))
                                             .toHtmlEscaped());
        m_gateway.run(
            this,
            [&gateway = m_gateway, actor, id, n, categories, dark]() -> Result<QString> {
                auto state = gateway.content().versionState(actor, id, n);
                if (!state) {
                    return fail(state.error());
                }
                QString html;
                if (n > 1) {
                    auto changes = gateway.content().diff(actor, id, n - 1, n);
                    if (!changes) {
                        return fail(changes.error());
                    }
                    html += QStringLiteral("<h4>%1</h4>").arg(tr("What this version changed")) +
                            renderDiff(*changes, categories, dark);
                }
                return html + QStringLiteral("<h4>%1</h4>").arg(tr("The item as of this version")) +
                       renderState(*state, categories);
            },
            [this, request, heading](Result<QString> html) {
                if (request != m_request) {
                    return;
                }
                if (!html) {
                    m_messageBar->showError(html.error(), tr("Could not read the version"));
                    return;
                }
                m_diff->setHtml(heading + *html);
            });
        return;
    }
    const int from = selected.first();
    const int to = selected.last();
    m_gateway.run(
        this,
        [&gateway = m_gateway, actor, id, from, to, categories, dark]() -> Result<QString> {
            auto changes = gateway.content().diff(actor, id, from, to);
            if (!changes) {
                return fail(changes.error());
            }
            return renderDiff(*changes, categories, dark);
        },
        [this, request, from, to](Result<QString> html) {
            if (request != m_request) {
                return;
            }
            if (!html) {
                m_messageBar->showError(html.error(), tr("Could not compare the versions"));
                return;
            }
            m_diff->setHtml(QStringLiteral("<h3>%1</h3>")
                                .arg(tr("Version %1 \u2192 version %2").arg(from).arg(to)) +
                            *html);
        });
}

void VersionsPanel::compareWithCurrent()
{
    const QList<int> selected = selectedVersions();
    if (selected.size() != 1 || m_count == 0) {
        return;
    }
    const int request = ++m_request;
    const int from = selected.first();
    const int to = m_count;
    const Actor actor = m_gateway.actor();
    const QString id = m_itemId;
    const auto categories = m_categoryNames;
    const bool dark = darkPalette();
    m_gateway.run(
        this,
        [&gateway = m_gateway, actor, id, from, to, categories, dark]() -> Result<QString> {
            auto changes = gateway.content().diff(actor, id, from, to);
            if (!changes) {
                return fail(changes.error());
            }
            return renderDiff(*changes, categories, dark);
        },
        [this, request, from, to](Result<QString> html) {
            if (request != m_request) {
                return;
            }
            if (!html) {
                m_messageBar->showError(html.error(), tr("Could not compare the versions"));
                return;
            }
            m_diff->setHtml(
                QStringLiteral("<h3>%1</h3>")
                    .arg(tr("Version %1 \u2192 current (version %2)").arg(from).arg(to)) +
                *html);
        });
}

void VersionsPanel::confirmRestore()
{
    const QList<int> selected = selectedVersions();
    if (selected.size() != 1) {
        return;
    }
    const int n = selected.first();
    QMessageBox box(QMessageBox::Question, tr("Restore version %1").arg(n),
                    tr("Restore version %1?").arg(n), QMessageBox::NoButton, this);
    box.setObjectName(QStringLiteral("confirmRestore"));
    box.setInformativeText(
        tr("Its title, slug, description, body, type, metadata, tags and categories become "
           "current again as a new version; the status and schedule stay as they are. "
           "Nothing is lost: the versions since stay in the history. Unsaved edits in the "
           "editor are replaced."));
    QPushButton *restore = box.addButton(tr("&Restore"), QMessageBox::AcceptRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(restore);
    box.exec();
    if (box.clickedButton() == restore) {
        m_messageBar->clear();
        emit restoreRequested(n);
    }
}

QString VersionsPanel::describeChange(const ContentVersion &version)
{
    const nlohmann::json &c = version.change;
    const auto text = [&c](const char *key) {
        return c.contains(key) && c[key].is_string()
                   ? QString::fromStdString(c[key].get<std::string>())
                   : QString();
    };
    if (version.kind == QLatin1String("ContentCreated")) {
        return tr("Created");
    }
    if (version.kind == QLatin1String("ContentPublished")) {
        return tr("Published");
    }
    if (version.kind == QLatin1String("ContentDeleted")) {
        return tr("Deleted");
    }
    if (version.kind == QLatin1String("ContentStatusChanged")) {
        const nlohmann::json changes = c.value("changes", nlohmann::json::object());
        const QString to = changes.contains("status") && changes["status"].is_string()
                               ? QString::fromStdString(changes["status"].get<std::string>())
                               : QString();
        const QString comment = text("comment");
        QString out = tr("Moved to %1").arg(to);
        return comment.isEmpty() ? out : out + QStringLiteral(": ") + comment;
    }
    QStringList fields;
    if (c.contains("changes") && c["changes"].is_object()) {
        fields = orderedKeys(c["changes"]);
    }
    if (c.contains("tagsAdded") || c.contains("tagsRemoved")) {
        fields << QStringLiteral("tags");
    }
    if (c.contains("categoriesAdded") || c.contains("categoriesRemoved")) {
        fields << QStringLiteral("categories");
    }
    QStringList labels;
    for (const QString &f : fields) {
        labels << fieldLabel(f).toLower();
    }
    const QString list = labels.join(QLatin1String(", "));
    if (version.kind == QLatin1String("ContentVersionRestored")) {
        return tr("Restored version %1").arg(c.value("restoredVersion", 0)) +
               (list.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(list));
    }
    return list.isEmpty() ? tr("Edited") : tr("Edited %1").arg(list);
}

QList<VersionsPanel::DiffLine> VersionsPanel::lineDiff(const QString &before, const QString &after)
{
    const QStringList a = before.split(QLatin1Char('\n'));
    const QStringList b = after.split(QLatin1Char('\n'));
    // Common head and tail first: most edits touch a few lines.
    qsizetype head = 0;
    while (head < a.size() && head < b.size() && a[head] == b[head]) {
        ++head;
    }
    qsizetype tail = 0;
    while (tail < a.size() - head && tail < b.size() - head &&
           a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) {
        ++tail;
    }
    QList<DiffLine> out;
    for (qsizetype i = 0; i < head; ++i) {
        out.append({DiffLine::Same, a[i]});
    }
    const qsizetype n = a.size() - head - tail;
    const qsizetype m = b.size() - head - tail;
    if (n * m > kMaxDiffCells) {
        // Too large to align line by line: shown as replaced.
        for (qsizetype i = 0; i < n; ++i) {
            out.append({DiffLine::Removed, a[head + i]});
        }
        for (qsizetype j = 0; j < m; ++j) {
            out.append({DiffLine::Added, b[head + j]});
        }
    } else {
        // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
        std::vector<std::vector<int>> lcs(size_t(n + 1), std::vector<int>(size_t(m + 1), 0));
        for (qsizetype i = n - 1; i >= 0; --i) {
            for (qsizetype j = m - 1; j >= 0; --j) {
                lcs[size_t(i)][size_t(j)] =
                    a[head + i] == b[head + j]
                        ? lcs[size_t(i + 1)][size_t(j + 1)] + 1
                        : std::max(lcs[size_t(i + 1)][size_t(j)], lcs[size_t(i)][size_t(j + 1)]);
            }
        }
        qsizetype i = 0;
        qsizetype j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a[head + i] == b[head + j]) {
                out.append({DiffLine::Same, a[head + i]});
                ++i;
                ++j;
            } else if (j < m &&
                       (i >= n || lcs[size_t(i)][size_t(j + 1)] >= lcs[size_t(i + 1)][size_t(j)])) {
                out.append({DiffLine::Added, b[head + j]});
                ++j;
            } else {
                out.append({DiffLine::Removed, a[head + i]});
                ++i;
            }
        }
    }
    for (qsizetype i = a.size() - tail; i < a.size(); ++i) {
        out.append({DiffLine::Same, a[i]});
    }
    return out;
}

QString VersionsPanel::renderDiff(const nlohmann::json &diff,
                                  const QHash<QString, QString> &categories, bool darkPalette)
{
    if (!diff.is_object() || diff.empty()) {
        return QStringLiteral("<p><i>%1</i></p>").arg(tr("No differences."));
    }
    const QString addedTint = darkPalette ? QStringLiteral("#1e4d2b") : QStringLiteral("#d9f2dd");
    const QString removedTint = darkPalette ? QStringLiteral("#5c2323") : QStringLiteral("#f9dcdc");
    QString html = QStringLiteral("<table width=\"100%\" cellspacing=\"0\" cellpadding=\"4\">");
    html += QStringLiteral("<tr><th align=\"left\">%1</th><th align=\"left\">%2</th>"
                           "<th align=\"left\">%3</th></tr>")
                .arg(tr("Field"), tr("Before"), tr("After"));
    QString body;
    for (const QString &field : orderedKeys(diff)) {
        const nlohmann::json &change = diff[field.toStdString()];
        const nlohmann::json from = change.value("from", nlohmann::json());
        const nlohmann::json to = change.value("to", nlohmann::json());
        if (field == QLatin1String("body")) {
            const auto text = [](const nlohmann::json &v) {
                return v.is_string() ? QString::fromStdString(v.get<std::string>()) : QString();
            };
            const QList<DiffLine> lines = lineDiff(text(from), text(to));
            body = QStringLiteral("<h4>%1</h4><table width=\"100%\" cellspacing=\"0\" "
                                  "cellpadding=\"1\">")
                       .arg(fieldLabel(field));
            // Unchanged runs are shown only near changes.
            for (int k = 0; k < lines.size(); ++k) {
                const DiffLine &line = lines[k];
                bool near = line.kind != DiffLine::Same;
                for (int d = 1; d <= kContext && !near; ++d) {
                    near = (k - d >= 0 && lines[k - d].kind != DiffLine::Same) ||
                           (k + d < lines.size() && lines[k + d].kind != DiffLine::Same);
                }
                if (!near) {
                    int run = k;
                    while (run < lines.size() && lines[run].kind == DiffLine::Same) {
                        bool close = false;
                        for (int d = 1; d <= kContext && !close; ++d) {
                            close = run + d < lines.size() && lines[run + d].kind != DiffLine::Same;
                        }
                        if (close) {
                            break;
                        }
                        ++run;
                    }
                    body += QStringLiteral("<tr><td><i>%1</i></td></tr>")
                                .arg(tr("\u2026 %n unchanged line(s) \u2026", nullptr, run - k));
                    k = run - 1;
                    continue;
                }
                const QString mark = line.kind == DiffLine::Added     ? QStringLiteral("+ ")
                                     : line.kind == DiffLine::Removed ? QStringLiteral("\u2212 ")
                                                                      : QStringLiteral("  ");
                const QString tint = line.kind == DiffLine::Added     ? addedTint
                                     : line.kind == DiffLine::Removed ? removedTint
                                                                      : QString();
                body += QStringLiteral("<tr><td%1><code>%2</code></td></tr>")
                            .arg(tint.isEmpty() ? QString()
                                                : QStringLiteral(" bgcolor=\"%1\"").arg(tint),
                                 (mark + line.text)
                                     .toHtmlEscaped()
                                     .replace(QLatin1Char(' '), QStringLiteral("&nbsp;")));
            }
            body += QStringLiteral("</table>");
            continue;
        }
        html +=
            QStringLiteral("<tr><td valign=\"top\"><b>%1</b></td><td valign=\"top\" "
                           "bgcolor=\"%2\">%3</td><td valign=\"top\" bgcolor=\"%4\">%5</td></tr>")
                .arg(fieldLabel(field).toHtmlEscaped(), removedTint,
                     plain(field, from, categories)
                         .toHtmlEscaped()
                         .replace(QLatin1Char('\n'), QStringLiteral("<br>")),
                     addedTint,
                     plain(field, to, categories)
                         .toHtmlEscaped()
                         .replace(QLatin1Char('\n'), QStringLiteral("<br>")));
    }
    html += QStringLiteral("</table>");
    return html + body;
}

QString VersionsPanel::renderState(const nlohmann::json &state,
                                   const QHash<QString, QString> &categories)
{
    QString html = QStringLiteral("<table cellspacing=\"0\" cellpadding=\"3\">");
    QString body;
    for (const QString &field : orderedKeys(state)) {
        const nlohmann::json &value = state[field.toStdString()];
        if (field == QLatin1String("body")) {
            QString text =
                value.is_string() ? QString::fromStdString(value.get<std::string>()) : QString();
            if (text.size() > kMaxShownBody) {
                text = text.left(kMaxShownBody) + QStringLiteral("\n\u2026");
            }
            body = QStringLiteral("<h4>%1</h4>").arg(fieldLabel(field)) + pre(text);
            continue;
        }
        html += QStringLiteral("<tr><td valign=\"top\"><b>%1</b></td><td>%2</td></tr>")
                    .arg(fieldLabel(field).toHtmlEscaped(),
                         plain(field, value, categories)
                             .toHtmlEscaped()
                             .replace(QLatin1Char('\n'), QStringLiteral("<br>")));
    }
    return html + QStringLiteral("</table>") + body;
}

} // namespace colophon
