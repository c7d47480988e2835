//! The HTML page in a real browser: headless Chromium loads a page rendered
//! from hostile documents and dumps its DOM after the scripts ran.
//!
//! It checks that nothing a document holds runs (no injected element, the
//! title untouched, no foreign element), and that the page's own script did
//! run and linked every passage to its partner. A control page holding the
//! same payload unescaped proves the checks can fail. Without a browser on
//! PATH (Debian package `chromium`) the tests say they were skipped and pass,
//! so `cargo test` works on a fresh machine.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use copydesk::compare::Text;
use copydesk::render::{html, Pair};
use copydesk::{compare_texts, Document, Params};

/// Longest a page load may take before the test gives up on the browser.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(60);

/// Each payload, if it ran, would add `<div id="pwned">` or set the title
/// to PWNED; the strings are split so the escaped text never holds the
/// marker itself.
const SCRIPT_PAYLOAD: &str = "<script>document.body.appendChild(Object.assign(\
document.createElement('div'),{id:'pw'+'ned'}))</script>";
const IMG_PAYLOAD: &str = "<img src=x onerror=\"document.title='PW'+'NED'\">";
const SVG_PAYLOAD: &str = "<svg onload=\"document.title='PW'+'NED'\"></svg>";
const BREAKOUT_PAYLOAD: &str = "</span></div></section><script>document.title='PW'+'NED'</script>\
\" onmouseover=\"document.title='PW'+'NED'\" x='";

const SHARED: &str = "The strike that took place last week was unnecessary while talks are \
ongoing, so it is extremely welcome news that the union has suspended next week's action.";

/// Loads `page` in headless Chromium and returns the DOM after load.
fn dump_dom(browser: &Path, page: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the browser");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut dom = String::new();
        stdout.read_to_string(&mut dom).map(|_| dom)
    });
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{} did not finish within {BROWSER_TIMEOUT:?}",
                browser.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let dom = reader.join().unwrap().expect("read the DOM");
    assert!(dom.contains("</html>"), "no DOM from the browser: {dom:?}");
    dom
}

/// Splits serialized HTML into its tags (with their quoted attribute
/// values, which may hold `<` and `>`) and its text (entities kept).
fn split_markup(dom: &str) -> (Vec<String>, String) {
    let (mut tags, mut text) = (Vec::new(), String::new());
    let mut tag: Option<String> = None;
    let mut quoted = false;
    for c in dom.chars() {
        match &mut tag {
            None if c == '<' => tag = Some(String::new()),
            None => text.push(c),
            Some(t) if c == '>' && !quoted => {
                tags.push(std::mem::take(t));
                tag = None;
            }
            Some(t) => {
                if c == '"' {
                    quoted = !quoted;
                }
                t.push(c);
            }
        }
    }
    (tags, text)
}

/// Tag name and attribute names of one tag (quoted values dropped).
fn names(tag: &str) -> (String, Vec<String>) {
    let mut bare = String::new();
    let mut quoted = false;
    for c in tag.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted {
            bare.push(c);
        }
    }
    let mut parts = bare.split_whitespace();
    let name = parts.next().unwrap_or("").to_ascii_lowercase();
    let attrs = parts
        .map(|p| p.split('=').next().unwrap_or("").to_ascii_lowercase())
        .collect();
    (name, attrs)
}

/// The opening tag of the element with `id`.
fn tag_with_id<'d>(dom: &'d str, id: &str) -> &'d str {
    let at = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element {id}"));
    let start = dom[..at].rfind('<').unwrap();
    let end = at + dom[at..].find('>').unwrap();
    &dom[start..=end]
}

fn assert_nothing_ran(dom: &str) {
    assert!(!dom.contains("id=\"pwned\""), "an injected script ran");
    assert!(!dom.contains("PWNED"), "an injected handler set the title");
}

#[test]
fn hostile_documents_run_nothing_and_passages_link() {
    let Some(browser) = common::browser() else {
        common::skipped(
            "hostile_documents_run_nothing_and_passages_link",
            "no chromium on PATH (install the Debian package `chromium`)",
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();

    // The control: the same payloads, unescaped, must be caught.
    let control = dir.path().join("control.html");
    std::fs::write(
        &control,
        format!(
            "<!DOCTYPE html><html><head><title>control</title></head><body>\
             {SCRIPT_PAYLOAD}{IMG_PAYLOAD}</body></html>"
        ),
    )
    .unwrap();
    let dom = dump_dom(&browser, &control);
    assert!(
        dom.contains("id=\"pwned\"") && dom.contains("<title>PWNED</title>"),
        "control page: the browser check cannot see injected code run:\n{dom}"
    );

    let a_text = format!(
        "Breaking {SCRIPT_PAYLOAD} news. {IMG_PAYLOAD}\n\n{SHARED}\n\n{BREAKOUT_PAYLOAD} \
         \u{202e}desrever\u{202c} and \x1b[2J the end."
    );
    let b_text =
        format!("{SVG_PAYLOAD} Earlier today.\n\n{SHARED}\n\nOther <marquee>news</marquee>.");
    let a = Document::from_text("docs/evil <a>.txt", a_text);
    let b = Document::from_text("b.txt", b_text);
    let p = Params::default();
    let (xa, xb) = (Text::new(&a.text, &p), Text::new(&b.text, &p));
    let c = compare_texts(&xa, &xb, &p);
    let (ta, tb) = (xa.tokens, xb.tokens);
    assert!(!c.passages.is_empty(), "the shared sentence is a passage");
    let mut page = Vec::new();
    html::write_html(&mut page, &Pair::new(&a, &b, &ta, &tb, &c)).unwrap();
    let file = dir.path().join("page.html");
    std::fs::write(&file, &page).unwrap();

    let dom = dump_dom(&browser, &file);
    assert_nothing_ran(&dom);
    assert!(
        dom.contains("<title>copydesk: evil &lt;a&gt;.txt vs b.txt</title>"),
        "title changed: {}",
        &dom[..dom.find("</title>").unwrap_or(0)]
    );
    let (tags, text) = split_markup(&dom);
    let mut scripts = 0;
    for tag in &tags {
        let (name, attrs) = names(tag);
        assert!(
            !["img", "svg", "marquee", "iframe"].contains(&name.as_str()),
            "<{name}> became markup"
        );
        scripts += usize::from(name == "script");
        for attr in attrs {
            assert!(!attr.starts_with("on"), "event handler {attr} in <{tag}>");
        }
    }
    assert_eq!(scripts, 1, "only the page's own script");
    // The documents' markup is shown as text.
    for shown in [
        "&lt;img src=x onerror=",
        "&lt;svg onload=",
        "&lt;/script&gt;",
        "&lt;marquee&gt;news&lt;/marquee&gt;",
    ] {
        assert!(text.contains(shown), "{shown} not shown as text");
    }
    assert!(text.contains("\\u{202e}desrever") && text.contains("\\x1b[2J"));

    // The page's own script ran: every passage is linked to its partner.
    let n = c.passages.len();
    assert!(
        dom.contains(&format!("data-linked=\"{}\"", 2 * n)),
        "page script did not link {n} passages"
    );
    for i in 1..=n {
        let a_tag = tag_with_id(&dom, &format!("a-p{i}"));
        assert!(
            a_tag.contains(&format!("data-partner=\"b-p{i}\"")),
            "{a_tag}"
        );
        let b_tag = tag_with_id(&dom, &format!("b-p{i}"));
        assert!(
            b_tag.contains(&format!("data-partner=\"a-p{i}\"")),
            "{b_tag}"
        );
    }
}
