//! The browser bundle: the islands of interactivity in the server-rendered pages. Everything else
//! on a page is HTML the server sent; this only wakes the `<leptos-island>` elements it finds.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

// The islands' entry points are exported by the app crate; linking it is what ships them.
use app as _;
