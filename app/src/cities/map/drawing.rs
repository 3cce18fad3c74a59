//! The layered map drawing shared by every map: the countries image, the arcs from the home city,
//! and the pins, positioned in percent of the drawing so that one CSS transform zooms and pans
//! all layers together.

use leptos::prelude::*;

use super::projection::{arc_path, height, project, WIDTH};
use super::MapData;
use crate::cities::pages::partnership_phrase;
use crate::cities::{City, CityKind, CityStatus, HomeCity};
use crate::i18n::Lang;

/// Zoom level and centre (as fractions of the drawing) of a map view.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    pub zoom: f64,
    pub cx: f64,
    pub cy: f64,
}

/// The most a map zooms in.
pub const MAX_ZOOM: f64 = 8.0;

impl Default for View {
    fn default() -> Self {
        Self {
            zoom: 1.0,
            cx: 0.5,
            cy: 0.5,
        }
    }
}

impl View {
    /// The same view with the zoom and centre kept inside the drawing.
    pub fn clamped(self) -> Self {
        let zoom = self.zoom.clamp(1.0, MAX_ZOOM);
        let half = 0.5 / zoom;
        Self {
            zoom,
            cx: self.cx.clamp(half, 1.0 - half),
            cy: self.cy.clamp(half, 1.0 - half),
        }
    }

    /// A view centred on the point at fractions (`fx`, `fy`) of the drawing.
    pub fn centred_on(fx: f64, fy: f64, zoom: f64) -> Self {
        Self {
            zoom,
            cx: fx,
            cy: fy,
        }
        .clamped()
    }

    /// The CSS transform that shows this view (origin at the drawing's top left).
    pub fn transform(self) -> String {
        let tx = (0.5 - self.zoom * self.cx) * 100.0;
        let ty = (0.5 - self.zoom * self.cy) * 100.0;
        format!(
            "transform: translate({}%, {}%) scale({z}); --zoom: {z}",
            fixed(tx, 3),
            fixed(ty, 3),
            z = fixed(self.zoom, 4),
        )
    }
}

/// Where a point falls, in fractions of the drawing's width and height.
pub fn fraction(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = project(lon, lat);
    (x / WIDTH, y / height())
}

/// "Chemnitz, Germany — twin city since 1988", plus the status when it is not active.
pub fn pin_label(lang: Lang, city: &City) -> String {
    format!(
        "{}{}",
        pin_label_base(lang, city),
        status_suffix(lang, city.status)
    )
}

/// A pin's label without its status: "Chemnitz, Germany — twin city since 1988".
pub fn pin_label_base(lang: Lang, city: &City) -> String {
    format!(
        "{}, {} — {}",
        city.name,
        city.country_name,
        partnership_phrase(lang, city)
    )
}

/// What a pin's label adds for `status`: nothing while active.
pub fn status_suffix(lang: Lang, status: CityStatus) -> &'static str {
    match status {
        CityStatus::Active => "",
        CityStatus::Suspended => lang.t().pin_suspended,
        CityStatus::Paused => lang.t().pin_paused,
        CityStatus::Ended => lang.t().pin_ended,
    }
}

/// CSS classes that give a pin its shape (kind) and fill (status).
pub fn pin_class(city: &City) -> String {
    let kind = match city.kind {
        CityKind::Twin => "twin",
        CityKind::Partner => "partner",
    };
    format!("pin {kind} {}", city.status.as_str())
}

/// The position style of whatever marks the place at `lon`, `lat` on the drawing.
fn position_at(lon: f64, lat: f64) -> String {
    let (fx, fy) = fraction(lon, lat);
    position_of(fx, fy)
}

/// The position style of whatever marks the point at fractions (`fx`, `fy`) of the drawing.
fn position_of(fx: f64, fy: f64) -> String {
    format!(
        "left: {}%; top: {}%",
        fixed(fx * 100.0, 3),
        fixed(fy * 100.0, 3)
    )
}

/// `x` written with `places` decimals. Integer formatting only: the map's island writes its
/// view with this, and the float formatter would be among the largest things in its code.
pub fn fixed(x: f64, places: u32) -> String {
    let scale = 10_u64.pow(places);
    let n = (x * scale as f64).round() as i64;
    let sign = if n < 0 { "-" } else { "" };
    let n = n.unsigned_abs();
    let width = places as usize;
    format!("{sign}{}.{:0width$}", n / scale, n % scale)
}

/// A fraction of the drawing as the page's data attributes carry it: in hundred-thousandths,
/// an integer (the island reads it back without the float parser).
pub fn to_units(fraction: f64) -> i64 {
    (fraction * 100_000.0).round() as i64
}

/// A fraction of the drawing from [`to_units`].
#[cfg(any(feature = "hydrate", test))]
pub fn from_units(units: &str) -> f64 {
    units.parse::<i64>().map_or(0.0, |u| u as f64 / 100_000.0)
}

/// How close, in widths of the drawing, two pins may come before they are grouped: a 24-pixel
/// target with room around it on a 320-pixel-wide phone.
const NEAR: f64 = 0.09;

/// Where a city's pin is for grouping: (`x`, `y`) in widths of the drawing, so that distances
/// are the same across and down.
pub fn group_point(city: &City) -> (f64, f64) {
    let (x, y) = project(city.lon, city.lat);
    (x / WIDTH, y / WIDTH)
}

/// Pins that would overlap on a phone, in groups: the two nearest groups are merged (their
/// centre being their members' mean) until no two are nearer than `NEAR`. A pin far from the
/// others is a group of one. `pins` are members with their [`group_point`]s.
pub fn pin_groups<T: Clone>(pins: &[(T, (f64, f64))]) -> Vec<PinGroup<T>> {
    let mut groups: Vec<PinGroup<T>> = pins
        .iter()
        .map(|(member, (x, y))| PinGroup {
            members: vec![member.clone()],
            x: *x,
            y: *y,
        })
        .collect();
    loop {
        let mut nearest: Option<(f64, usize, usize)> = None;
        for i in 0..groups.len() {
            for j in i + 1..groups.len() {
                let d = (groups[i].x - groups[j].x).hypot(groups[i].y - groups[j].y);
                if d < NEAR && nearest.is_none_or(|(best, _, _)| d < best) {
                    nearest = Some((d, i, j));
                }
            }
        }
        let Some((_, i, j)) = nearest else {
            return groups;
        };
        let merged = groups.swap_remove(j);
        let kept = &mut groups[i];
        let (n, m) = (kept.members.len() as f64, merged.members.len() as f64);
        kept.x = (kept.x * n + merged.x * m) / (n + m);
        kept.y = (kept.y * n + merged.y * m) / (n + m);
        kept.members.extend(merged.members);
    }
}

/// Pins shown as one on a phone, around (`x`, `y`) in widths of the drawing.
#[derive(Clone, Debug, PartialEq)]
pub struct PinGroup<T> {
    pub members: Vec<T>,
    x: f64,
    y: f64,
}

impl<T> PinGroup<T> {
    /// The group's centre, in fractions of the drawing's width and height.
    pub fn centre(&self) -> (f64, f64) {
        (self.x, self.y * WIDTH / height())
    }

    /// The group's position style on the drawing.
    pub fn position(&self) -> String {
        let (fx, fy) = self.centre();
        position_of(fx, fy)
    }
}

/// The position style of a pin at `city`.
pub fn pin_position(city: &City) -> String {
    position_at(city.lon, city.lat)
}

/// Cities sorted west to east, the order pins are reached with Tab.
pub fn west_to_east(mut cities: Vec<City>) -> Vec<City> {
    cities.sort_by(|a, b| a.lon.total_cmp(&b.lon));
    cities
}

/// The countries image and the arcs from the home city to `cities`.
#[component]
pub fn MapBackdrop(countries_url: String, home: HomeCity, cities: Vec<City>) -> impl IntoView {
    let from = (home.lon, home.lat);
    let (hx, hy) = project(home.lon, home.lat);
    let view_box = format!("0 0 {WIDTH} {:.1}", height());
    view! {
        <img
            class="map-countries"
            src=countries_url
            alt=""
            width="1000"
            height="487"
            fetchpriority="high"
        />
        <svg class="map-arcs" viewBox=view_box aria-hidden="true" focusable="false">
            {cities.iter().map(|c| arc(from, c)).collect_view()}
            <circle class="home-dot" cx=format!("{hx:.1}") cy=format!("{hy:.1}") r="4"/>
        </svg>
        <span class="home-label" style=position_at(home.lon, home.lat)>
            {home.name}
        </span>
    }
}

/// The arc from the home city at `from` to `city`, named by the city for the map's island.
pub fn arc(from: (f64, f64), city: &City) -> impl IntoView + use<> {
    view! {
        <path
            class=format!("arc {}", city.status.as_str())
            d=arc_path(from, (city.lon, city.lat))
            data-slug=city.slug.clone()
        />
    }
}

/// Fetches the countries image first (the preload sits in `<head>` before the scripts): the map is
/// the largest thing on its page, and when it waited behind the WebAssembly the largest paint did
/// too. A server component: the page's `<head>` is written on the server.
#[component]
pub fn CountriesPreload(url: String) -> impl IntoView {
    view! { <leptos_meta::Link rel="preload" as_="image" href=url fetchpriority="high"/> }
}

/// A map that only shows: no links, no controls. `focus` centres and zooms it on one place.
#[component]
pub fn MiniMap(
    data: MapData,
    /// Longitude and latitude to centre on and mark.
    focus: Option<(f64, f64)>,
) -> impl IntoView {
    let view = match focus {
        Some((lon, lat)) => {
            let (fx, fy) = fraction(lon, lat);
            View::centred_on(fx, fy, 4.0)
        }
        None => View::default(),
    };
    let pins = west_to_east(data.cities.clone())
        .into_iter()
        .map(|city| {
            let marked = focus.is_some_and(|(lon, lat)| lon == city.lon && lat == city.lat);
            let class = format!("{}{}", pin_class(&city), if marked { " marked" } else { "" });
            view! { <span class=class style=pin_position(&city)><span class="pin-shape"></span></span> }
        })
        .collect_view();
    view! {
        <CountriesPreload url=data.countries_url.clone()/>
        <div class="map-frame mini" data-testid="mini-map">
            <div class="map-canvas" style=view.transform()>
                <MapBackdrop countries_url=data.countries_url home=data.home cities=data.cities/>
                <div class="map-pins" aria-hidden="true">{pins}</div>
            </div>
        </div>
    }
}

/// Loads the map data and shows a [`MiniMap`]; nothing if the data cannot be had, since the
/// page around it says the same in words.
#[component]
pub fn MapPreview(#[prop(optional)] focus: Option<(f64, f64)>) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let data = Resource::new(|| (), move |_| super::api::get_map(lang));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                data.await.ok().map(|data| view! { <MiniMap data focus/> })
            })}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(slug: &str, lon: f64, lat: f64) -> City {
        City {
            slug: slug.into(),
            name: slug.into(),
            country: String::new(),
            country_note: String::new(),
            kind: CityKind::Twin,
            since_year: None,
            status: CityStatus::Active,
            status_note: String::new(),
            status_changes: Vec::new(),
            lat,
            lon,
            country_name: String::new(),
        }
    }

    #[test]
    fn pins_that_would_overlap_on_a_phone_are_grouped() {
        let cities = [
            at("chemnitz", 12.92, 50.83),
            at("ostrava", 18.29, 49.83),
            at("cologne", 6.96, 50.94),
            at("cleveland", -81.69, 41.5),
            at("toronto", -79.38, 43.65),
            at("jilin", 126.55, 43.84),
            at("port-elizabeth", 25.6, -33.96),
        ];
        let pins: Vec<(&str, (f64, f64))> = cities
            .iter()
            .map(|c| (c.slug.as_str(), group_point(c)))
            .collect();
        let groups = pin_groups(&pins);
        let mut keys: Vec<String> = groups
            .iter()
            .map(|g| {
                let mut slugs = g.members.clone();
                slugs.sort_unstable();
                slugs.join(" ")
            })
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "chemnitz cologne ostrava",
                "cleveland toronto",
                "jilin",
                "port-elizabeth"
            ]
        );
        for (i, a) in groups.iter().enumerate() {
            for b in &groups[i + 1..] {
                assert!((a.x - b.x).hypot(a.y - b.y) >= NEAR, "{a:?} {b:?}");
            }
        }
        assert!(pin_groups::<&str>(&[]).is_empty());
    }

    #[test]
    fn fixed_writes_what_the_float_formatter_writes() {
        for x in [0.0, 1.5, -12.34567, 0.00049, 99.9999, -0.5] {
            for places in [1, 2, 3, 4] {
                let expected = format!("{x:.places$}", places = places as usize);
                let expected = expected
                    .strip_prefix("-0.")
                    .map_or(expected.clone(), |rest| {
                        if rest.bytes().all(|b| b == b'0') {
                            format!("0.{rest}")
                        } else {
                            expected.clone()
                        }
                    });
                assert_eq!(fixed(x, places), expected, "{x} to {places} places");
            }
        }
        assert_eq!(from_units(&to_units(0.123456).to_string()), 0.12346);
    }

    #[test]
    fn views_stay_inside_the_drawing() {
        let v = View {
            zoom: 2.0,
            cx: 0.0,
            cy: 1.0,
        }
        .clamped();
        assert_eq!((v.cx, v.cy), (0.25, 0.75));
        let v = View {
            zoom: 0.5,
            cx: 0.9,
            cy: 0.1,
        }
        .clamped();
        assert_eq!(v, View::default());
        assert_eq!(
            View {
                zoom: 99.0,
                ..View::default()
            }
            .clamped()
            .zoom,
            MAX_ZOOM
        );
    }

    #[test]
    fn the_default_view_needs_no_shift() {
        assert!(View::default()
            .transform()
            .starts_with("transform: translate(0.000%, 0.000%) scale(1.0000)"));
    }
}
