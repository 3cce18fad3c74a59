// Regenerates app/src/cities/map/countries.json, the country shapes the map draws, from Natural
// Earth's 1:110m admin-0 countries (public domain) as packaged by the npm module world-atlas.
//
//   npm ci --prefix tools && node scripts/build-map.mjs
//
// Output: for each country its name and its rings, each ring a flat list of longitude/latitude
// pairs in tenths of a degree, the first pair absolute and the rest deltas. Projection happens in
// Rust (app/src/cities/projection.rs) so that countries and pins share one implementation.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'tools', 'package.json'));
const { feature } = require('topojson-client');
const topology = require('world-atlas/countries-110m.json');
const atlasVersion = require('world-atlas/package.json').version;

// Names as the portal writes them (partner-cities.csv), where Natural Earth's short form differs.
const RENAME = { 'United States of America': 'United States' };
// Nobody twins with a research station; leaving it out saves a tenth of the bytes.
const SKIP = new Set(['Antarctica']);

const tenths = (v) => Math.round(v * 10);
const clampLon = (lon) => Math.max(-180, Math.min(180, lon));

// Natural Earth's rings for Russia and Fiji run across the antimeridian (179.9 → -179.9); drawn as
// they are they would streak across the whole map. Unwrap such a ring into continuous
// longitudes, then keep two copies, one shifted by 360°, each clamped to ±180°: clamping a
// polygon to a band keeps exactly its area inside the band, so the two copies fill both sides.
function splitAtAntimeridian(ring) {
  const unwrapped = [ring[0]];
  for (const [lon, lat] of ring.slice(1)) {
    let l = lon;
    const prev = unwrapped[unwrapped.length - 1][0];
    while (l - prev > 180) l -= 360;
    while (prev - l > 180) l += 360;
    unwrapped.push([l, lat]);
  }
  const lons = unwrapped.map(([lon]) => lon);
  if (Math.min(...lons) >= -180 && Math.max(...lons) <= 180) return [ring];
  const shift = Math.max(...lons) > 180 ? -360 : 360;
  return [0, shift]
    .map((s) => unwrapped.map(([lon, lat]) => [clampLon(lon + s), lat]))
    .filter((r) => r.some(([lon]) => Math.abs(lon) < 180));
}

function encodeRing(ring) {
  const out = [];
  let [px, py] = [null, null];
  for (const [lon, lat] of ring) {
    const [x, y] = [tenths(lon), tenths(lat)];
    if (x === px && y === py) continue;
    if (px === null) out.push(x, y);
    else out.push(x - px, y - py);
    [px, py] = [x, y];
  }
  return out.length >= 6 ? out : null;
}

const countries = feature(topology, topology.objects.countries)
  .features.filter((f) => f.geometry && !SKIP.has(f.properties.name))
  .map((f) => {
    const polygons =
      f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    const rings = polygons
      .flatMap((poly) => poly.flatMap(splitAtAntimeridian))
      .map(encodeRing)
      .filter(Boolean);
    return { name: RENAME[f.properties.name] ?? f.properties.name, rings };
  })
  .sort((a, b) => a.name.localeCompare(b.name));

const out = path.join(root, 'app', 'src', 'cities', 'map', 'countries.json');
const json = JSON.stringify({
  source: `Natural Earth 1:110m admin-0 countries (public domain), world-atlas ${atlasVersion}`,
  countries,
});
writeFileSync(out, json + '\n');
console.log(`wrote ${countries.length} countries, ${json.length} bytes, to ${path.relative(root, out)}`);
