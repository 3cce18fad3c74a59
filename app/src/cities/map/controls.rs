//! The map's island: the behaviour of the map `page.rs` renders — zoom and pan (buttons, wheel,
//! drag, arrow and +/- keys), a city's side card (click or Enter on a pin; Escape or Close returns
//! to the pin), live filters and the years slider with its play button, and the groups of pins
//! that would overlap on a phone. It renders nothing itself: it moves the server's HTML around
//! (pins, arcs and cards come from the page's `<template>`), so that its code is behaviour only;
//! a view per pin, arc and card made the island several times larger.

use leptos::prelude::*;

use crate::i18n::Lang;

/// The map's behaviour, attached to the map around it once the island is hydrated. `last_year`
/// is the slider's end ("today"); `total` the number of partner cities.
#[island(lazy)]
pub fn MapControls(lang: Lang, last_year: i32, total: usize) -> impl IntoView {
    let marker = NodeRef::<leptos::html::Span>::new();
    let ready = RwSignal::new(false);
    crate::client_effect(move || {
        if let Some(marker) = marker.get() {
            #[cfg(feature = "hydrate")]
            behaviour::attach(&marker, lang, last_year, total);
            #[cfg(not(feature = "hydrate"))]
            let _ = (marker, lang, last_year, total);
            ready.set(true);
        }
    });
    view! {
        <span
            class="map-controls"
            node_ref=marker
            data-island-ready=move || ready.get().then_some("")
        ></span>
    }
}

#[cfg(feature = "hydrate")]
mod behaviour {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    use leptos::prelude::*;
    use leptos::wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::{
        DocumentFragment, Element, EventTarget, HtmlElement, HtmlInputElement, HtmlSelectElement,
        HtmlTemplateElement, KeyboardEvent, MouseEvent, PointerEvent, WheelEvent,
    };

    use super::super::drawing::{
        fixed, from_units, pin_groups, status_suffix, to_units, PinGroup, View, MAX_ZOOM,
    };
    use super::super::{MapFilter, FIRST_YEAR};
    use crate::cities::{CityKind, CityStatus};
    use crate::i18n::{fill, Lang};

    /// How far the map zooms in on a group of pins.
    const GROUP_ZOOM: f64 = 4.0;

    /// The map's elements and state.
    struct Map {
        lang: Lang,
        last_year: i32,
        total: usize,
        root: Element,
        frame: Element,
        canvas: Element,
        pins: Element,
        arcs: Element,
        stage: Element,
        form: Element,
        parts: DocumentFragment,
        view: View,
        drag: Option<(f64, f64, View)>,
        playing: Option<IntervalHandle>,
    }

    type Shared = Rc<RefCell<Map>>;

    /// A pin as a group lists it.
    #[derive(Clone)]
    struct Member {
        slug: String,
        name: String,
        href: String,
    }

    /// Finds the map around `marker` and makes it live. A page whose map is not as `page.rs`
    /// writes it is left as it is.
    pub fn attach(marker: &HtmlElement, lang: Lang, last_year: i32, total: usize) {
        let Some(map) = find(marker, lang, last_year, total) else {
            return;
        };
        for hidden in all(&map.root, ".map-zoom, .play") {
            let _ = hidden.remove_attribute("hidden");
        }
        let map = Rc::new(RefCell::new(map));
        let (root, frame): (EventTarget, EventTarget) = {
            let m = map.borrow();
            (m.root.clone().into(), m.frame.clone().into())
        };
        listen::<MouseEvent>(&root, "click", &map, on_click);
        listen::<KeyboardEvent>(&root, "keydown", &map, on_escape);
        listen::<web_sys::Event>(&root, "change", &map, on_filter);
        listen::<web_sys::Event>(&root, "input", &map, on_filter);
        listen::<KeyboardEvent>(&frame, "keydown", &map, on_key);
        listen::<WheelEvent>(&frame, "wheel", &map, on_wheel);
        listen::<PointerEvent>(&frame, "pointerdown", &map, on_down);
        listen::<PointerEvent>(&frame, "pointermove", &map, on_move);
        listen::<PointerEvent>(&frame, "pointerup", &map, on_up);
        listen::<PointerEvent>(&frame, "pointerleave", &map, on_up);
    }

    fn find(marker: &HtmlElement, lang: Lang, last_year: i32, total: usize) -> Option<Map> {
        let root = marker.closest(".map-layout").ok()??;
        let one = |selector: &str| root.query_selector(selector).ok().flatten();
        let parts = one("#map-parts")?
            .dyn_into::<HtmlTemplateElement>()
            .ok()?
            .content();
        Some(Map {
            lang,
            last_year,
            total,
            frame: one(".map-frame")?,
            canvas: one(".map-canvas")?,
            pins: one(".map-pins")?,
            arcs: one(".map-arcs")?,
            stage: one(".map-stage")?,
            form: one(".map-filters")?,
            parts,
            view: View::default(),
            drag: None,
            playing: None,
            root,
        })
    }

    /// Calls `handle` with every `name` event on `target` that is an `E`.
    fn listen<E: JsCast + 'static>(
        target: &EventTarget,
        name: &str,
        map: &Shared,
        handle: fn(&Shared, E),
    ) {
        let map = Rc::clone(map);
        let closure = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            if let Ok(event) = event.dyn_into::<E>() {
                handle(&map, event);
            }
        });
        let _ = target.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        // The listener lives as long as the page's map.
        closure.forget();
    }

    /// The elements in `root` (an element or the template's fragment) that match `selector`.
    fn all(root: &web_sys::Node, selector: &str) -> Vec<Element> {
        let list = if let Some(el) = root.dyn_ref::<Element>() {
            el.query_selector_all(selector)
        } else if let Some(fragment) = root.dyn_ref::<DocumentFragment>() {
            fragment.query_selector_all(selector)
        } else {
            return Vec::new();
        };
        let Ok(list) = list else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
            .collect()
    }

    fn target(event: &web_sys::Event) -> Option<Element> {
        event.target()?.dyn_into::<Element>().ok()
    }

    fn closest(el: &Element, selector: &str) -> Option<Element> {
        el.closest(selector).ok().flatten()
    }

    fn data(el: &Element, name: &str) -> String {
        el.get_attribute(name).unwrap_or_default()
    }

    fn on_click(map: &Shared, event: MouseEvent) {
        let Some(el) = target(&event) else {
            return;
        };
        if let Some(button) = closest(&el, "button[data-zoom]") {
            match data(&button, "data-zoom").as_str() {
                "in" => zoom_by(map, 1.5),
                "out" => zoom_by(map, 1.0 / 1.5),
                _ => set_view(map, View::default()),
            }
        } else if closest(&el, ".play").is_some() {
            toggle_play(map);
        } else if closest(&el, "[data-close-card]").is_some() {
            close_card(map);
        } else if let Some(group) = closest(&el, ".map-group summary") {
            event.prevent_default();
            zoom_to_group(map, &group);
        } else if let Some(pin) = closest(&el, ".map-pins a[data-slug]") {
            event.prevent_default();
            open_card(map, &data(&pin, "data-slug"));
        }
    }

    fn on_escape(map: &Shared, event: KeyboardEvent) {
        if event.key() == "Escape" && card(map).is_some() {
            close_card(map);
        }
    }

    fn on_key(map: &Shared, event: KeyboardEvent) {
        let step = 0.1;
        match event.key().as_str() {
            "ArrowLeft" => pan_by(map, -step, 0.0),
            "ArrowRight" => pan_by(map, step, 0.0),
            "ArrowUp" => pan_by(map, 0.0, -step),
            "ArrowDown" => pan_by(map, 0.0, step),
            "+" | "=" => zoom_by(map, 1.5),
            "-" | "_" => zoom_by(map, 1.0 / 1.5),
            _ => return,
        }
        event.prevent_default();
    }

    fn on_wheel(map: &Shared, event: WheelEvent) {
        event.prevent_default();
        let (left, top, width, height) = frame_box(map);
        let px = (f64::from(event.client_x()) - left) / width;
        let py = (f64::from(event.client_y()) - top) / height;
        let factor = if event.delta_y() < 0.0 { 1.25 } else { 0.8 };
        let view = zoom_around(map.borrow().view, factor, px, py);
        set_view(map, view);
    }

    fn on_down(map: &Shared, event: PointerEvent) {
        if event.is_primary() {
            let mut m = map.borrow_mut();
            m.drag = Some((
                f64::from(event.client_x()),
                f64::from(event.client_y()),
                m.view,
            ));
        }
    }

    fn on_move(map: &Shared, event: PointerEvent) {
        let Some((x0, y0, start)) = map.borrow().drag else {
            return;
        };
        let (_, _, width, height) = frame_box(map);
        let dx = (f64::from(event.client_x()) - x0) / width;
        let dy = (f64::from(event.client_y()) - y0) / height;
        if dx.abs() + dy.abs() > 0.005 {
            let view = View {
                cx: start.cx - dx / start.zoom,
                cy: start.cy - dy / start.zoom,
                ..start
            };
            set_view(map, view.clamped());
        }
    }

    fn on_up(map: &Shared, _: PointerEvent) {
        map.borrow_mut().drag = None;
    }

    fn frame_box(map: &Shared) -> (f64, f64, f64, f64) {
        let r = map.borrow().frame.get_bounding_client_rect();
        (r.left(), r.top(), r.width().max(1.0), r.height().max(1.0))
    }

    fn zoom_by(map: &Shared, factor: f64) {
        let v = map.borrow().view;
        set_view(
            map,
            View {
                zoom: v.zoom * factor,
                ..v
            }
            .clamped(),
        );
    }

    fn pan_by(map: &Shared, dx: f64, dy: f64) {
        let v = map.borrow().view;
        let view = View {
            cx: v.cx + dx / v.zoom,
            cy: v.cy + dy / v.zoom,
            ..v
        };
        set_view(map, view.clamped());
    }

    fn set_view(map: &Shared, view: View) {
        let mut m = map.borrow_mut();
        m.view = view;
        let _ = m.canvas.set_attribute("style", &view.transform());
        let _ = m.canvas.set_attribute("data-zoom", &fixed(view.zoom, 2));
    }

    /// The view after zooming by `factor` around the point at frame fractions (`px`, `py`), which
    /// stays where it is on screen.
    fn zoom_around(v: View, factor: f64, px: f64, py: f64) -> View {
        let zoom = (v.zoom * factor).clamp(1.0, MAX_ZOOM);
        // Drawing point under the cursor, then the centre that keeps it there.
        let qx = v.cx + (px - 0.5) / v.zoom;
        let qy = v.cy + (py - 0.5) / v.zoom;
        View {
            zoom,
            cx: qx - (px - 0.5) / zoom,
            cy: qy - (py - 0.5) / zoom,
        }
        .clamped()
    }

    /// Zooms in on a group, where its pins stand apart, and gives its first pin the focus once
    /// the zoom is drawn (until then the group's pins are hidden and take no focus).
    fn zoom_to_group(map: &Shared, summary: &Element) {
        let Some(group) = closest(summary, ".map-group") else {
            return;
        };
        let at = |name| from_units(&data(&group, name));
        set_view(
            map,
            View::centred_on(at("data-fx"), at("data-fy"), GROUP_ZOOM),
        );
        let first = data(&group, "data-first");
        let map = Rc::clone(map);
        request_animation_frame(move || focus_pin(&map, &first));
    }

    fn focus_pin(map: &Shared, slug: &str) {
        let pins = map.borrow().pins.clone();
        let pin = all(&pins, "a.pin")
            .into_iter()
            .find(|a| data(a, "data-slug") == slug);
        if let Some(pin) = pin.and_then(|p| p.dyn_into::<HtmlElement>().ok()) {
            let _ = pin.focus();
        }
    }

    fn card(map: &Shared) -> Option<Element> {
        map.borrow()
            .stage
            .query_selector(".city-card")
            .ok()
            .flatten()
    }

    /// Shows the side card of `slug` (a copy of the page's) and puts the focus on its heading.
    fn open_card(map: &Shared, slug: &str) {
        let (stage, parts) = {
            let m = map.borrow();
            (m.stage.clone(), m.parts.clone())
        };
        let Some(found) = all(&parts, ".all-cards > .city-card")
            .into_iter()
            .find(|c| data(c, "data-slug") == slug)
        else {
            return;
        };
        if let Some(old) = card(map) {
            old.remove();
        }
        let Ok(copy) = found.clone_node_with_deep(true) else {
            return;
        };
        let _ = stage.append_child(&copy);
        let heading = copy
            .dyn_ref::<Element>()
            .and_then(|c| c.query_selector("h2").ok().flatten())
            .and_then(|h| h.dyn_into::<HtmlElement>().ok());
        if let Some(heading) = heading {
            let _ = heading.focus();
        }
    }

    /// Closes the side card and returns the focus to its city's pin.
    fn close_card(map: &Shared) {
        if let Some(open) = card(map) {
            let slug = data(&open, "data-slug");
            open.remove();
            focus_pin(map, &slug);
        }
    }

    fn field<T: JsCast>(map: &Shared, name: &str) -> Option<T> {
        map.borrow()
            .form
            .query_selector(&format!("[name={name}]"))
            .ok()
            .flatten()?
            .dyn_into::<T>()
            .ok()
    }

    fn select(map: &Shared, name: &str) -> String {
        field::<HtmlSelectElement>(map, name)
            .map(|s| s.value())
            .unwrap_or_default()
    }

    fn slider(map: &Shared) -> Option<HtmlInputElement> {
        field(map, "until")
    }

    /// The filter the form's fields say.
    fn form_filter(map: &Shared) -> MapFilter {
        let last_year = map.borrow().last_year;
        let until = slider(map)
            .and_then(|s| s.value().parse::<i32>().ok())
            .filter(|y| *y < last_year);
        MapFilter {
            kind: CityKind::from_db(&select(map, "kind")),
            status: CityStatus::from_db(&select(map, "status")),
            country: Some(select(map, "country")).filter(|c| !c.is_empty()),
            until,
        }
    }

    fn on_filter(map: &Shared, event: web_sys::Event) {
        let in_form = target(&event).is_some_and(|el| closest(&el, ".map-filters").is_some());
        if in_form {
            show(map, &form_filter(map));
        }
    }

    /// Puts the pins and arcs of the cities `filter` admits on the map, in their groups, and says
    /// so in the count, the slider's words and the address.
    fn show(map: &Shared, filter: &MapFilter) {
        let m = map.borrow();
        let admitted = |li: &Element| {
            let since = data(li, "data-since").parse().ok();
            match (
                CityKind::from_db(&data(li, "data-kind")),
                status_in(li, filter.until),
            ) {
                (Some(kind), Some(status)) => {
                    filter.admits(kind, status, &data(li, "data-country"), since)
                }
                _ => false,
            }
        };
        let shown: Vec<Element> = all(&m.parts, ".all-pins > li")
            .into_iter()
            .filter(admitted)
            .collect();
        let members: Vec<(Member, (f64, f64))> = shown
            .iter()
            .map(|li| {
                let point = |name| from_units(&data(li, name));
                let href = li
                    .query_selector("a")
                    .ok()
                    .flatten()
                    .map(|a| data(&a, "href"))
                    .unwrap_or_default();
                let member = Member {
                    slug: data(li, "data-slug"),
                    name: data(li, "data-name"),
                    href,
                };
                (member, (point("data-gx"), point("data-gy")))
            })
            .collect();
        let groups: Vec<PinGroup<Member>> = pin_groups(&members)
            .into_iter()
            .filter(|g| g.members.len() > 1)
            .collect();
        let grouped = |slug: &str| {
            groups
                .iter()
                .any(|g| g.members.iter().any(|member| member.slug == slug))
        };
        m.pins.set_inner_html("");
        for li in &shown {
            let Ok(copy) = li.clone_node_with_deep(true) else {
                continue;
            };
            if let (Some(status), Some(pin)) = (
                status_in(li, filter.until),
                copy.dyn_ref::<Element>()
                    .and_then(|c| c.first_element_child()),
            ) {
                set_status_class(&pin, status);
                let label = format!(
                    "{}{}",
                    data(&pin, "data-label"),
                    status_suffix(m.lang, status)
                );
                let _ = pin.set_attribute("aria-label", &label);
            }
            if grouped(&data(li, "data-slug")) {
                if let Some(pin) = copy
                    .dyn_ref::<Element>()
                    .and_then(|c| c.first_element_child())
                {
                    let _ = pin.class_list().add_1("grouped");
                }
            }
            let _ = m.pins.append_child(&copy);
        }
        for group in &groups {
            if let Some(el) = group_element(m.lang, group) {
                let _ = m.pins.append_child(&el);
            }
        }
        let slugs: Vec<String> = members.into_iter().map(|(member, _)| member.slug).collect();
        for old in all(&m.arcs, "path.arc") {
            old.remove();
        }
        let home = m.arcs.query_selector("circle").ok().flatten();
        for path in all(&m.parts, ".all-arcs > path") {
            let slug = data(&path, "data-slug");
            if slugs.contains(&slug) {
                let status = shown
                    .iter()
                    .find(|li| data(li, "data-slug") == slug)
                    .and_then(|li| status_in(li, filter.until));
                if let Ok(copy) = path.clone_node_with_deep(true) {
                    if let (Some(status), Some(el)) = (status, copy.dyn_ref::<Element>()) {
                        set_status_class(el, status);
                    }
                    let _ = m
                        .arcs
                        .insert_before(&copy, home.as_ref().map(|h| h.as_ref()));
                }
            }
        }
        let t = m.lang.t();
        if let Some(count) = m.root.query_selector(".map-count").ok().flatten() {
            count.set_text_content(Some(&fill(t.map_showing, &[&shown.len(), &m.total])));
        }
        let year = filter
            .until
            .map_or_else(|| t.map_today.to_owned(), |y| y.to_string());
        if let Some(output) = m.form.query_selector("output").ok().flatten() {
            output.set_text_content(Some(&year));
        }
        drop(m);
        if let Some(slider) = slider(map) {
            let _ = slider.set_attribute("aria-valuetext", &year);
        }
        let lang = map.borrow().lang;
        show_in_address(lang, &format!("/map{}", filter.to_query()));
    }

    /// The status of the city of pin item `li` at the end of `year` (today when `None`), from
    /// its `data-statuses` changes.
    fn status_in(li: &Element, year: Option<i32>) -> Option<CityStatus> {
        let changes: Vec<(i32, CityStatus)> = data(li, "data-statuses")
            .split(',')
            .filter_map(|change| {
                let (year, status) = change.split_once(' ')?;
                Some((year.parse().ok()?, CityStatus::from_db(status)?))
            })
            .collect();
        crate::cities::status_at(&changes, year)
            .or_else(|| CityStatus::from_db(&data(li, "data-status")))
    }

    /// Gives a pin or an arc the fill of `status` in place of the one it had.
    fn set_status_class(el: &Element, status: CityStatus) {
        for other in CityStatus::ALL {
            let _ = el.class_list().remove_1(other.as_str());
        }
        let _ = el.class_list().add_1(status.as_str());
    }

    /// A group of pins as `page.rs` writes one, for the pins now shown.
    fn group_element(lang: Lang, group: &PinGroup<Member>) -> Option<Element> {
        let doc = document();
        let names: Vec<&str> = group.members.iter().map(|m| m.name.as_str()).collect();
        let label = fill(
            lang.t().map_group,
            &[&group.members.len(), &names.join(", ")],
        );
        let (fx, fy) = group.centre();
        let li = doc.create_element("li").ok()?;
        li.set_class_name("map-group");
        let _ = li.set_attribute("style", &group.position());
        let _ = li.set_attribute("data-fx", &to_units(fx).to_string());
        let _ = li.set_attribute("data-fy", &to_units(fy).to_string());
        let first = group.members.first().map(|m| m.slug.as_str());
        let _ = li.set_attribute("data-first", first.unwrap_or_default());
        let details = doc.create_element("details").ok()?;
        let summary = doc.create_element("summary").ok()?;
        let _ = summary.set_attribute("aria-label", &label);
        let _ = summary.set_attribute("data-testid", "pin-group");
        let count = doc.create_element("span").ok()?;
        let _ = count.set_attribute("aria-hidden", "true");
        count.set_text_content(Some(&group.members.len().to_string()));
        let _ = summary.append_child(&count);
        let list = doc.create_element("ul").ok()?;
        for member in &group.members {
            let item = doc.create_element("li").ok()?;
            let link = doc.create_element("a").ok()?;
            let _ = link.set_attribute("href", &member.href);
            let _ = link.set_attribute("data-slug", &member.slug);
            link.set_text_content(Some(&member.name));
            let _ = item.append_child(&link);
            let _ = list.append_child(&item);
        }
        let _ = details.append_child(&summary);
        let _ = details.append_child(&list);
        let _ = li.append_child(&details);
        Some(li)
    }

    /// Plays the partnerships through the years from the slider's year (or the first), a year a
    /// quarter second; again stops it.
    fn toggle_play(map: &Shared) {
        let button = map.borrow().form.query_selector(".play").ok().flatten();
        let stop = |map: &Shared| {
            if let Some(handle) = map.borrow_mut().playing.take() {
                handle.clear();
            }
        };
        let label = |name: &str| {
            if let Some(b) = &button {
                b.set_text_content(Some(&data(b, name)));
            }
        };
        if map.borrow().playing.is_some() {
            stop(map);
            label("data-play");
            return;
        }
        let last_year = map.borrow().last_year;
        let year = Cell::new(form_filter(map).until.unwrap_or(FIRST_YEAR - 1));
        let ticking = Rc::clone(map);
        let button_at_end = button.clone();
        let handle = set_interval_with_handle(
            move || {
                year.set(year.get() + 1);
                let y = year.get().min(last_year);
                if let Some(slider) = slider(&ticking) {
                    slider.set_value(&y.to_string());
                }
                show(&ticking, &form_filter(&ticking));
                if y >= last_year {
                    if let Some(handle) = ticking.borrow_mut().playing.take() {
                        handle.clear();
                    }
                    if let Some(b) = &button_at_end {
                        b.set_text_content(Some(&data(b, "data-play")));
                    }
                }
            },
            std::time::Duration::from_millis(250),
        );
        map.borrow_mut().playing = handle.ok();
        label("data-pause");
    }

    /// Puts `path` (in its English form) in the address bar in place of the current address, and
    /// in the language switch: the map's state is already on screen, and a new history entry per
    /// slider step would make Back useless.
    fn show_in_address(lang: Lang, path: &str) {
        if let Ok(history) = window().history() {
            let href = lang.href(path);
            let _ = history.replace_state_with_url(
                &leptos::wasm_bindgen::JsValue::NULL,
                "",
                Some(&href),
            );
        }
        if let Some(switch) = document().get_element_by_id("lang-switch") {
            let _ = switch.set_attribute("href", &lang.other().href(path));
        }
    }
}
