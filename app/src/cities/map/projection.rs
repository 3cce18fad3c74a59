//! The Equal Earth projection (Šavrič, Patterson and Jenny, 2018) onto the map's SVG coordinate
//! space, and great-circle arcs. Countries, pins and arcs all go through [`project`], so they line
//! up exactly.

/// Width of the map's SVG coordinate space; the height follows from the projection's aspect.
pub const WIDTH: f64 = 1000.0;

const A1: f64 = 1.340264;
const A2: f64 = -0.081106;
const A3: f64 = 0.000893;
const A4: f64 = 0.003796;

/// Unscaled Equal Earth coordinates of a point, y pointing north.
fn raw(lon: f64, lat: f64) -> (f64, f64) {
    let (lambda, phi) = (lon.to_radians(), lat.to_radians());
    let theta = ((3f64).sqrt() / 2.0 * phi.sin()).asin();
    let t2 = theta * theta;
    let t6 = t2 * t2 * t2;
    let x = 2.0 * (3f64).sqrt() * lambda * theta.cos()
        / (3.0 * (9.0 * A4 * t6 * t2 + 7.0 * A3 * t6 + 3.0 * A2 * t2 + A1));
    let y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2));
    (x, y)
}

/// SVG units per unscaled unit: the full ±180° width maps onto [`WIDTH`].
fn scale() -> f64 {
    WIDTH / (2.0 * raw(180.0, 0.0).0)
}

/// Height of the map's SVG coordinate space (pole to pole).
pub fn height() -> f64 {
    2.0 * raw(0.0, 90.0).1 * scale()
}

/// SVG coordinates of a longitude/latitude in degrees; y grows southwards.
pub fn project(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = raw(lon.clamp(-180.0, 180.0), lat.clamp(-90.0, 90.0));
    let s = scale();
    (WIDTH / 2.0 + s * x, height() / 2.0 - s * y)
}

fn to_vector(lon: f64, lat: f64) -> [f64; 3] {
    let (lambda, phi) = (lon.to_radians(), lat.to_radians());
    [
        phi.cos() * lambda.cos(),
        phi.cos() * lambda.sin(),
        phi.sin(),
    ]
}

fn to_lon_lat(v: [f64; 3]) -> (f64, f64) {
    let lat = v[2].clamp(-1.0, 1.0).asin().to_degrees();
    let lon = v[1].atan2(v[0]).to_degrees();
    (lon, lat)
}

/// `segments + 1` points (longitude, latitude) along the shorter great circle from `from` to
/// `to`, both given as (longitude, latitude).
pub fn great_circle(from: (f64, f64), to: (f64, f64), segments: usize) -> Vec<(f64, f64)> {
    let (a, b) = (to_vector(from.0, from.1), to_vector(to.0, to.1));
    let dot = (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]).clamp(-1.0, 1.0);
    let omega = dot.acos();
    let segments = segments.max(1);
    (0..=segments)
        .map(|i| {
            let t = i as f64 / segments as f64;
            if omega.abs() < 1e-9 {
                return from;
            }
            let (wa, wb) = (
                ((1.0 - t) * omega).sin() / omega.sin(),
                (t * omega).sin() / omega.sin(),
            );
            to_lon_lat([
                wa * a[0] + wb * b[0],
                wa * a[1] + wb * b[1],
                wa * a[2] + wb * b[2],
            ])
        })
        .collect()
}

/// An SVG path along the great circle from `from` to `to`, broken where it crosses the
/// antimeridian so that no stroke runs across the whole map.
pub fn arc_path(from: (f64, f64), to: (f64, f64)) -> String {
    let mut path = String::new();
    let mut previous: Option<f64> = None;
    for (lon, lat) in great_circle(from, to, 48) {
        let (x, y) = project(lon, lat);
        let jump = previous.is_some_and(|p| (p - lon).abs() > 180.0);
        let command = if previous.is_none() || jump { 'M' } else { 'L' };
        path.push_str(&format!("{command}{x:.1} {y:.1}"));
        previous = Some(lon);
    }
    path
}

/// Distance along the surface in kilometres (mean Earth radius), for the city card.
pub fn distance_km(from: (f64, f64), to: (f64, f64)) -> f64 {
    let (a, b) = (to_vector(from.0, from.1), to_vector(to.0, to.1));
    let dot = (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]).clamp(-1.0, 1.0);
    dot.acos() * 6371.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < 0.01 && (a.1 - b.1).abs() < 0.01
    }

    #[test]
    fn projects_known_points() {
        // Expected values computed independently from the published formulas.
        assert!((height() - 486.717).abs() < 0.001);
        assert!(close(project(0.0, 0.0), (500.0, 243.3585)));
        assert!(
            close(project(44.51, 48.71), (603.0455, 73.2185)),
            "Volgograd"
        );
        assert!(
            close(project(-1.51, 52.41), (496.6091, 62.5082)),
            "Coventry"
        );
        assert!(
            close(project(179.9, -17.0), (989.2577, 306.4870)),
            "near the antimeridian"
        );
        assert!(close(project(-180.0, 0.0), (0.0, 243.3585)));
        assert!(close(project(180.0, 0.0), (1000.0, 243.3585)));
        assert!(close(project(0.0, 90.0), (500.0, 0.0)));
    }

    #[test]
    fn great_circle_ends_at_both_cities_and_bends_north() {
        let volgograd = (44.51, 48.71);
        let cleveland = (-81.69, 41.50);
        let points = great_circle(volgograd, cleveland, 10);
        assert_eq!(points.len(), 11);
        assert!(close(points[0], volgograd));
        assert!(close(points[10], cleveland));
        // The shortest way from the Volga to Ohio passes far north of both.
        let northmost = points.iter().map(|p| p.1).fold(f64::MIN, f64::max);
        assert!(northmost > 60.0, "{northmost}");
    }

    #[test]
    fn arcs_break_at_the_antimeridian() {
        let across = arc_path((170.0, 50.0), (-170.0, 50.0));
        assert_eq!(across.matches('M').count(), 2, "{across}");
        let within = arc_path((44.51, 48.71), (12.92, 50.83));
        assert_eq!(within.matches('M').count(), 1);
        assert!(within.starts_with("M603.0 73.2"));
    }

    #[test]
    fn distances_are_plausible() {
        let d = distance_km((44.51, 48.71), (12.92, 50.83));
        assert!((2200.0..2350.0).contains(&d), "Volgograd–Chemnitz {d}");
    }
}
