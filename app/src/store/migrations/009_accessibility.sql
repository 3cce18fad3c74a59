-- The accessibility statement (one Markdown text per language, edited by admins) and the
-- barrier reports visitors send from it.

CREATE TABLE accessibility_statement (
    lang        TEXT PRIMARY KEY CHECK (lang IN ('en', 'ru')),
    body        TEXT NOT NULL,
    -- When the site was last checked against the statement (YYYY-MM-DD).
    reviewed_on TEXT NOT NULL CHECK (reviewed_on GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    updated_by  INTEGER REFERENCES users (id),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) WITHOUT ROWID;

CREATE TABLE barrier_reports (
    id         INTEGER PRIMARY KEY,
    -- The page the visitor names: an address or words, as they wrote it.
    page       TEXT NOT NULL,
    what       TEXT NOT NULL,
    contact    TEXT NOT NULL DEFAULT '',
    -- The language the visitor wrote from.
    lang       TEXT NOT NULL CHECK (lang IN ('en', 'ru')),
    status     TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'answered', 'fixed')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX barrier_reports_by_status ON barrier_reports (status, id);

-- Report submissions of the last minute per client address, for the rate limit; older rows are
-- deleted on each submission, so addresses are kept for a minute only.
CREATE TABLE report_attempts (
    address TEXT NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX report_attempts_by_address ON report_attempts (address, at);

INSERT INTO accessibility_statement (lang, body, reviewed_on) VALUES
('en', '## Conformance status

This portal aims to meet the Web Content Accessibility Guidelines (WCAG) 2.1 at level AA, and it
offers a version for visually impaired visitors as GOST R 52872-2019 describes. It is **partially
conformant**: the limitations below are known and not yet fixed.

## Version for the visually impaired

The link “Version for the visually impaired” at the top of every page opens a settings bar: text
size up to 200%, three colour schemes (black on white, white on black, dark blue on light blue),
wider letter spacing, taller lines, and pictures hidden with their descriptions shown in their
place. The settings are kept for your next visits in a cookie that holds nothing else, and they
work without JavaScript. “Normal version” turns them off.

## Known limitations

- Pictures inside the text of some older news items have no description.
- Scanned agreements are images in PDF files, without a text layer; their summary is on the
  partner city’s page.
- The map shows where partner cities are; the same facts are in the list of partner cities and
  in the partnerships table, which work with a screen reader and a keyboard.
- A text not yet translated is shown in the other language and marked as such.

## How the site was tested

Every kind of page is checked automatically, in both languages, with axe-core (in every colour
scheme), with the W3C Nu HTML checker, at a width of 320 pixels with 200% text, with the text
spacing of WCAG 1.4.12, with JavaScript turned off, and by keyboard only.

## Tell us about a barrier

If something on this site is hard or impossible for you to use, please tell us with the form
below. Only the portal’s administrators read the reports; we answer if you leave a way to reach
you.', '2026-12-07'),
('ru', '## Соответствие требованиям

Портал стремится соответствовать Руководству по доступности веб-контента (WCAG) 2.1 на уровне AA
и предлагает версию для слабовидящих по ГОСТ Р 52872-2019. Сейчас он **частично соответствует**
требованиям: ограничения, перечисленные ниже, известны и ещё не устранены.

## Версия для слабовидящих

Ссылка «Версия для слабовидящих» вверху каждой страницы открывает панель настроек: размер шрифта
до 200%, три цветовые схемы (чёрным по белому, белым по чёрному, тёмно-синим по голубому),
увеличенный интервал между буквами, увеличенный межстрочный интервал, отключение изображений с
показом их описаний. Настройки сохраняются до следующих посещений в cookie, где нет ничего кроме
них, и работают без JavaScript. «Обычная версия» возвращает обычный вид.

## Известные ограничения

- У изображений внутри текста некоторых старых новостей нет описания.
- Отсканированные соглашения — это изображения в PDF-файлах без текстового слоя; их краткое
  содержание есть на странице города-партнёра.
- Карта показывает, где находятся города-партнёры; те же сведения есть в списке городов-партнёров
  и в таблице партнёрств, которыми можно пользоваться с экранным диктором и с клавиатуры.
- Текст, ещё не переведённый на русский язык, показывается на английском с пометкой об этом.

## Как проверялся сайт

Каждый вид страниц автоматически проверяется на обоих языках: axe-core (в каждой цветовой схеме),
валидатором W3C Nu HTML, при ширине 320 пикселей и шрифте 200%, с межбуквенными и межстрочными
интервалами по WCAG 1.4.12, с отключённым JavaScript и только с клавиатуры.

## Сообщите о барьере

Если чем-то на сайте вам трудно или невозможно воспользоваться, сообщите нам через форму ниже.
Сообщения читают только администраторы портала; мы ответим, если вы оставите способ связи.', '2026-12-07');
