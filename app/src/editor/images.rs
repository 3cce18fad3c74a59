//! Cover images: the upload field of the edit form (the browser posts the file with gloo-net),
//! the server function that checks an upload by decoding it, and the resized copies stored under
//! the data directory by content hash and served with `srcset`.

use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::use_lang;

/// Largest upload accepted, in bytes.
pub const MAX_UPLOAD: usize = 10 * 1024 * 1024;
/// How long an upload waits for the one before it before the editor is told to try again.
#[cfg(feature = "ssr")]
const IMAGE_WAIT: std::time::Duration = std::time::Duration::from_secs(20);
/// Widths of the resized copies; an image narrower than one gets no copy wider than itself.
pub const WIDTHS: [u32; 3] = [480, 960, 1600];

/// What an upload returns: the stored image's hash and its copies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Uploaded {
    pub hash: String,
    pub widths: Vec<u32>,
}

/// Stores an uploaded jpeg, png or webp image (field `file`, at most 10 MB) after decoding it, and
/// its resized copies. Editors only.
#[server(prefix = "/api", endpoint = "upload_image", input = MultipartFormData)]
pub async fn upload_image(data: MultipartData) -> Result<Uploaded, AppError> {
    use crate::{auth::session, auth::Role};
    let user = session::require(Role::Editor).await?;
    let bytes = read_file_field(data).await?;
    ssr::store_image(&crate::state::app_state()?, bytes, user.id).await
}

#[cfg(feature = "ssr")]
async fn read_file_field(data: MultipartData) -> Result<Vec<u8>, AppError> {
    use crate::i18n::Key;
    let too_big = || AppError::invalid("file", Key::ErrImageTooBig);
    let malformed = |_| AppError::invalid("file", Key::ErrUploadBroken);
    let mut data = data.into_inner().ok_or(AppError::Internal)?;
    while let Some(mut field) = data.next_field().await.map_err(malformed)? {
        if field.name() != Some("file") {
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(malformed)? {
            if bytes.len() + chunk.len() > MAX_UPLOAD {
                return Err(too_big());
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok(bytes);
    }
    Err(AppError::invalid("file", Key::ErrChooseImage))
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! Decoding, resizing and storing uploads.

    use std::io::Cursor;
    use std::path::Path;

    use image::codecs::jpeg::JpegEncoder;
    use image::codecs::png::PngEncoder;
    use image::codecs::webp::WebPEncoder;
    use image::metadata::Orientation;
    use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
    use sha2::{Digest, Sha256};

    use super::WIDTHS;
    use crate::error::{AppError, Arg};
    use crate::i18n::Key;

    /// The most pixels an upload may have: a photo from any camera, not a decompression bomb.
    pub const MAX_PIXELS: u64 = 40_000_000;
    use crate::store::images::ImageMeta;

    /// Stores the image `bytes` (at most `MAX_UPLOAD`) that `user_id` uploaded: its checked
    /// files, then its row.
    pub async fn store_image(
        state: &crate::state::AppState,
        bytes: Vec<u8>,
        user_id: i64,
    ) -> Result<super::Uploaded, AppError> {
        let dir = state.config.media_dir.clone();
        let (meta, mime) = one_at_a_time(state, move || store_files(&bytes, &dir)).await?;
        let uploaded = super::Uploaded {
            hash: meta.hash.clone(),
            widths: meta.widths.clone(),
        };
        state
            .store
            .call(move |c| crate::store::images::insert(c, &meta, mime, user_id))
            .await?;
        Ok(uploaded)
    }

    /// Runs `work` (decoding and encoding images) on the blocking pool, one job at a time across
    /// the portal, as a decode takes a few hundred MB; a job that waits longer than `IMAGE_WAIT`
    /// for the one before it is told to try again.
    pub async fn one_at_a_time<T: Send + 'static>(
        state: &crate::state::AppState,
        work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let _job =
            tokio::time::timeout(super::IMAGE_WAIT, state.image_jobs.clone().acquire_owned())
                .await
                .map_err(|_| AppError::Busy)?
                .map_err(|_| AppError::Internal)?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|_| AppError::Internal)?
    }

    /// Decodes `bytes`, a jpeg, png or webp image, turned upright as its EXIF orientation says
    /// (so that a copy encoded without the metadata shows the same way). Its MIME type too.
    /// Decompression bombs are refused before they are decoded.
    pub fn decode(bytes: &[u8]) -> Result<(DynamicImage, &'static str), AppError> {
        let not_image = || AppError::invalid("file", Key::ErrNotImage);
        let format = image::guess_format(bytes).map_err(|_| not_image())?;
        let mime = match format {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
            ImageFormat::WebP => "image/webp",
            _ => return Err(not_image()),
        };
        // Refuse decompression bombs before decoding: a 10 MB file may claim gigapixels, and
        // the pixels, not the bytes, decide the memory a decode and a resize take.
        let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
            .into_dimensions()
            .map_err(|_| not_image())?;
        if u64::from(width) * u64::from(height) > MAX_PIXELS {
            return Err(AppError::invalid_with(
                "file",
                Key::ErrImageTooManyPixels,
                [
                    Arg::value(width),
                    Arg::value(height),
                    Arg::value(MAX_PIXELS / 1_000_000),
                ],
            ));
        }
        let mut decoder = ImageReader::with_format(Cursor::new(bytes), format)
            .into_decoder()
            .map_err(|_| not_image())?;
        let mut limits = Limits::default();
        limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
        limits
            .reserve(decoder.total_bytes())
            .map_err(|_| not_image())?;
        decoder.set_limits(limits).map_err(|_| not_image())?;
        let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
        let mut decoded = DynamicImage::from_decoder(decoder).map_err(|_| not_image())?;
        decoded.apply_orientation(orientation);
        Ok((decoded, mime))
    }

    /// The JPEG quality an image encoded again without its metadata gets: a scan's small print
    /// stays legible.
    const REENCODED_QUALITY: u8 = 90;

    /// The image `bytes` (jpeg, png or webp) encoded again in its own format from its pixels
    /// alone, upright: no EXIF (a GPS position, the camera, dates), XMP, colour profile, comment
    /// or text chunk survives. Its MIME type too. A webp is encoded losslessly.
    pub fn without_metadata(bytes: &[u8]) -> Result<(Vec<u8>, &'static str), AppError> {
        let (image, mime) = decode(bytes)?;
        let mut out = Vec::new();
        let encoded = match mime {
            "image/jpeg" => {
                image.write_with_encoder(JpegEncoder::new_with_quality(&mut out, REENCODED_QUALITY))
            }
            "image/png" => image.write_with_encoder(PngEncoder::new(&mut out)),
            _ => image.write_with_encoder(WebPEncoder::new_lossless(&mut out)),
        };
        encoded.map_err(|e| {
            tracing::error!(error = %e, "cannot encode an image without its metadata");
            AppError::Internal
        })?;
        Ok((out, mime))
    }

    /// Checks that `bytes` decode as a jpeg, png or webp image and writes its resized copies under
    /// `dir/<hash>/`. Returns the image's metadata and MIME type.
    pub fn store_files(bytes: &[u8], dir: &Path) -> Result<(ImageMeta, &'static str), AppError> {
        let (decoded, mime) = decode(bytes)?;
        let (width, height) = (decoded.width(), decoded.height());
        // The copies are made from one no wider than twice the widest, shrunk by averaging
        // (cheap in memory); the filter's working buffers then stay a few tens of MB.
        let decoded = if width > 2 * WIDTHS[WIDTHS.len() - 1] {
            let w = 2 * WIDTHS[WIDTHS.len() - 1];
            let h = (u64::from(height) * u64::from(w) / u64::from(width)).max(1) as u32;
            decoded.thumbnail_exact(w, h)
        } else {
            decoded
        };
        let hash: String = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let target = dir.join(&hash);
        let internal = |e: std::io::Error| {
            tracing::error!(error = %e, path = %target.display(), "cannot store an image");
            AppError::Internal
        };
        std::fs::create_dir_all(&target).map_err(internal)?;
        let mut widths: Vec<u32> = WIDTHS.iter().copied().filter(|w| *w < width).collect();
        if widths.len() < WIDTHS.len() {
            widths.push(width);
        }
        for w in &widths {
            let h = (u64::from(decoded.height()) * u64::from(*w) / u64::from(decoded.width()))
                .max(1) as u32;
            let copy = decoded
                .resize_exact(*w, h, image::imageops::FilterType::Lanczos3)
                .to_rgb8();
            let path = target.join(format!("{w}.jpg"));
            let tmp = target.join(format!("{w}.jpg.tmp"));
            let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(internal)?);
            JpegEncoder::new_with_quality(&mut out, 82)
                .encode_image(&copy)
                .map_err(|e| {
                    tracing::error!(error = %e, "cannot encode an image copy");
                    AppError::Internal
                })?;
            drop(out);
            std::fs::rename(&tmp, &path).map_err(internal)?;
        }
        Ok((
            ImageMeta {
                hash,
                width,
                height,
                widths,
            },
            mime,
        ))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn png(width: u32, height: u32) -> Vec<u8> {
            let img = image::RgbImage::from_pixel(width, height, image::Rgb([20, 54, 93]));
            let mut out = Cursor::new(Vec::new());
            img.write_to(&mut out, ImageFormat::Png).unwrap();
            out.into_inner()
        }

        #[test]
        fn stores_resized_copies_by_content_hash() {
            let dir = tempfile::tempdir().unwrap();
            let (meta, mime) = store_files(&png(1200, 600), dir.path()).unwrap();
            assert_eq!(mime, "image/png");
            assert_eq!(meta.widths, vec![480, 960, 1200]);
            let copy = image::open(dir.path().join(&meta.hash).join("480.jpg")).unwrap();
            assert_eq!((copy.width(), copy.height()), (480, 240));
            let again = store_files(&png(1200, 600), dir.path()).unwrap().0;
            assert_eq!(again.hash, meta.hash);
        }

        #[test]
        fn refuses_images_with_too_many_pixels_before_decoding_them() {
            let dir = tempfile::tempdir().unwrap();
            // A small PNG whose header claims 12000 × 12000 pixels (432 MB decoded).
            let mut bomb = png(1, 1);
            bomb[16..20].copy_from_slice(&12_000u32.to_be_bytes());
            bomb[20..24].copy_from_slice(&12_000u32.to_be_bytes());
            let mut crc = flate2::Crc::new();
            crc.update(&bomb[12..29]);
            bomb[29..33].copy_from_slice(&crc.sum().to_be_bytes());
            let err = store_files(&bomb, dir.path()).unwrap_err();
            assert_eq!(err.status(), 400);
            let message = err.message(crate::i18n::Lang::En);
            assert!(
                message.contains("12000 × 12000") && message.contains("40 megapixels"),
                "{message}"
            );
        }

        #[test]
        fn a_large_photo_gets_its_copies_from_a_shrunk_one() {
            let dir = tempfile::tempdir().unwrap();
            let (meta, _) = store_files(&png(4000, 1000), dir.path()).unwrap();
            assert_eq!((meta.width, meta.height), (4000, 1000));
            assert_eq!(meta.widths, vec![480, 960, 1600]);
            let copy = image::open(dir.path().join(&meta.hash).join("1600.jpg")).unwrap();
            assert_eq!((copy.width(), copy.height()), (1600, 400));
        }

        /// An EXIF block (little-endian TIFF) naming the camera, with the orientation
        /// `orientation` and a GPS IFD whose processing method says "GPS".
        fn exif(orientation: u16) -> Vec<u8> {
            let entry = |tag: u16, kind: u16, count: u32, value: [u8; 4]| {
                [
                    &tag.to_le_bytes()[..],
                    &kind.to_le_bytes(),
                    &count.to_le_bytes(),
                    &value,
                ]
                .concat()
            };
            let model = b"Canon EOS 5D\0";
            let method = b"ASCII\0\0\0GPS";
            // IFD0 at 8 with three entries, the model's text, the GPS IFD with two entries, the
            // method's text.
            let model_at = 8 + 2 + 3 * 12 + 4;
            let gps_at = model_at + model.len() as u32;
            let method_at = gps_at + 2 + 2 * 12 + 4;
            let mut turned = [0; 4];
            turned[..2].copy_from_slice(&orientation.to_le_bytes());
            [
                &b"II*\0\x08\0\0\0"[..],
                &3u16.to_le_bytes(),
                &entry(0x0110, 2, model.len() as u32, model_at.to_le_bytes()),
                &entry(0x0112, 3, 1, turned),
                &entry(0x8825, 4, 1, gps_at.to_le_bytes()),
                &0u32.to_le_bytes(),
                model,
                &2u16.to_le_bytes(),
                &entry(0x0001, 2, 2, *b"N\0\0\0"),
                &entry(0x001B, 7, method.len() as u32, method_at.to_le_bytes()),
                &0u32.to_le_bytes(),
                method,
            ]
            .concat()
        }

        fn jpeg_with_exif(width: u32, height: u32, orientation: u16) -> Vec<u8> {
            let img = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
            let mut out = Vec::new();
            let mut encoder = JpegEncoder::new_with_quality(&mut out, 90);
            image::ImageEncoder::set_exif_metadata(&mut encoder, exif(orientation)).unwrap();
            encoder.encode_image(&img).unwrap();
            out
        }

        /// The PNG `png` with a chunk of `kind` holding `data` put in after its header.
        fn with_chunk(png: &[u8], kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
            let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
            chunk.extend(kind);
            chunk.extend(data);
            let mut crc = flate2::Crc::new();
            crc.update(&chunk[4..]);
            chunk.extend(crc.sum().to_be_bytes());
            // The signature (8 bytes) and the header chunk (25) come first.
            [&png[..33], &chunk, &png[33..]].concat()
        }

        fn holds(haystack: &[u8], needle: &[u8]) -> bool {
            haystack.windows(needle.len()).any(|w| w == needle)
        }

        #[test]
        fn a_photo_loses_its_exif_and_stays_upright() {
            let original = jpeg_with_exif(16, 8, 6);
            let secrets = [&b"Exif"[..], b"Canon EOS", b"GPS"];
            for secret in secrets {
                assert!(holds(&original, secret), "the test image carries it");
            }
            let (stripped, mime) = without_metadata(&original).unwrap();
            assert_eq!(mime, "image/jpeg");
            for secret in secrets {
                assert!(!holds(&stripped, secret));
            }
            let upright =
                image::load_from_memory_with_format(&stripped, ImageFormat::Jpeg).unwrap();
            assert_eq!(
                (upright.width(), upright.height()),
                (8, 16),
                "orientation 6 turns it a quarter"
            );
            assert_eq!(without_metadata(&original).unwrap().0, stripped, "stable");
        }

        #[test]
        fn a_png_loses_its_text_and_exif_chunks() {
            let text = with_chunk(
                &png(4, 4),
                b"tEXt",
                b"Comment\0scanned by the office copier",
            );
            let original = with_chunk(&text, b"eXIf", &exif(1));
            assert!(image::load_from_memory(&original).is_ok());
            let (stripped, mime) = without_metadata(&original).unwrap();
            assert_eq!(mime, "image/png");
            for secret in [&b"tEXt"[..], b"copier", b"eXIf", b"Canon EOS"] {
                assert!(!holds(&stripped, secret));
            }
        }

        #[test]
        fn a_webp_stays_a_webp() {
            let img = image::RgbImage::from_pixel(4, 4, image::Rgb([20, 54, 93]));
            let mut webp = Cursor::new(Vec::new());
            img.write_to(&mut webp, ImageFormat::WebP).unwrap();
            let (stripped, mime) = without_metadata(webp.get_ref()).unwrap();
            assert_eq!(mime, "image/webp");
            let back = image::load_from_memory_with_format(&stripped, ImageFormat::WebP).unwrap();
            assert_eq!(back.to_rgb8(), img, "losslessly");
        }

        #[test]
        fn refuses_files_that_are_not_images_whatever_their_name() {
            let dir = tempfile::tempdir().unwrap();
            for bytes in [
                &b"<script>alert(1)</script>"[..],
                b"GIF89a....",
                &png(10, 10)[..40],
            ] {
                let err = store_files(bytes, dir.path()).unwrap_err();
                assert_eq!(err.status(), 400);
            }
        }
    }
}

/// The cover field of the edit form: the current image, a file picker that uploads at once, and
/// the description for people who cannot see the image. `widths` are those of the current image's
/// copies, for the preview.
#[component]
pub fn CoverField(
    image: RwSignal<Option<String>>,
    alt: RwSignal<String>,
    widths: Vec<u32>,
) -> impl IntoView {
    let widths = RwSignal::new(widths);
    let lang = use_lang();
    let t = lang.t();
    let uploading = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let on_file = move |_ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            let Some(input) = _ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            error.set(None);
            let size = format!("{:.1}", file.size() / 1_048_576.0);
            uploading.set(Some(crate::i18n::fill(t.uploading, &[&file.name(), &size])));
            leptos::task::spawn_local(async move {
                match client::upload(lang, &file).await {
                    Ok(done) => {
                        widths.set(done.widths);
                        image.set(Some(done.hash));
                    }
                    Err(message) => error.set(Some(message)),
                }
                uploading.set(None);
            });
        }
    };
    view! {
        <fieldset class="edit-cover">
            <legend>{t.cover_legend}</legend>
            {move || {
                image
                    .get()
                    .map(|hash| {
                        // The smallest copy: never wider than 480 pixels.
                        let width = widths.with(|w| w.first().copied()).unwrap_or(WIDTHS[0]);
                        view! {
                            <img
                                class="cover-preview"
                                src=crate::media::Cover::url(&hash, width)
                                alt=""
                                data-testid="cover-preview"
                            />
                        }
                    })
            }}
            <label for="edit-cover-file">{t.cover_upload}</label>
            <input id="edit-cover-file" type="file" accept="image/jpeg,image/png,image/webp" on:change=on_file/>
            {move || {
                uploading
                    .get()
                    .map(|text| {
                        view! {
                            <p role="status">
                                <progress aria-label=t.upload_progress></progress>
                                " "
                                {text}
                            </p>
                        }
                    })
            }}
            <p class="form-error" role="alert">{move || error.get()}</p>
            <label for="edit-cover-alt">{t.cover_alt}</label>
            <input id="edit-cover-alt" type="text" maxlength=super::MAX_SHORT bind:value=alt/>
            <Show when=move || image.get().is_some()>
                <button type="button" class="link-button" on:click=move |_| image.set(None)>
                    {t.cover_remove}
                </button>
            </Show>
        </fieldset>
    }
}

#[cfg(feature = "hydrate")]
mod client {
    //! The upload request. Server functions would do, but gloo-net lets the form post the file
    //! as it is and read the JSON error the server function writes on failure.

    use super::Uploaded;
    use crate::error::AppError;
    use crate::i18n::{fill, Lang};
    use leptos::server_fn::ServerFn;

    pub async fn upload(lang: Lang, file: &web_sys::File) -> Result<Uploaded, String> {
        let t = lang.t();
        let offline = |e: gloo_net::Error| fill(t.upload_failed, &[&e]);
        let form = web_sys::FormData::new().map_err(|_| t.upload_no_form.to_owned())?;
        form.append_with_blob("file", file)
            .map_err(|_| t.upload_no_read.to_owned())?;
        let response = gloo_net::http::Request::post(<super::UploadImage as ServerFn>::PATH)
            .body(form)
            .map_err(offline)?
            .send()
            .await
            .map_err(offline)?;
        if response.ok() {
            response.json::<Uploaded>().await.map_err(offline)
        } else {
            Err(response
                .json::<AppError>()
                .await
                .map(|e| e.message(lang))
                .unwrap_or_else(|_| fill(t.upload_failed_status, &[&response.status()])))
        }
    }
}
