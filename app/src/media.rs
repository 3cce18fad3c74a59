//! Cover images as visitors see them: the type an item's page and its feeds carry, and the figure
//! that shows it in the sizes the server made. Uploading and resizing are the editor's.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::i18n::use_lang;

/// An uploaded image as pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cover {
    pub hash: String,
    pub alt: String,
    pub width: u32,
    pub height: u32,
    pub widths: Vec<u32>,
}

impl Cover {
    /// The stored image `meta`, described by `alt`.
    #[cfg(feature = "ssr")]
    pub fn new(meta: crate::store::images::ImageMeta, alt: String) -> Self {
        Self {
            hash: meta.hash,
            alt,
            width: meta.width,
            height: meta.height,
            widths: meta.widths,
        }
    }

    /// URL of the copy `width` pixels wide.
    pub fn url(hash: &str, width: u32) -> String {
        format!("/media/{hash}/{width}.jpg")
    }

    /// The `srcset` listing every copy.
    pub fn srcset(&self) -> String {
        self.widths
            .iter()
            .map(|w| format!("{} {w}w", Self::url(&self.hash, *w)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The copy a browser without `srcset` gets: the middle one.
    pub fn src(&self) -> String {
        let w = self
            .widths
            .get(self.widths.len() / 2)
            .copied()
            .unwrap_or(self.width);
        Self::url(&self.hash, w)
    }
}

/// A cover image on an item's page, sized by the browser from the `srcset`.
#[component]
///
/// Its description follows it, shown by the stylesheet only while the version for the visually
/// impaired hides pictures (hidden, it is not read out twice either).
pub fn CoverImage(cover: Cover) -> impl IntoView {
    let described = !cover.alt.trim().is_empty();
    view! {
        <figure class="cover">
            <img
                src=cover.src()
                srcset=cover.srcset()
                sizes="(max-width: 48rem) 100vw, 46rem"
                width=cover.width
                height=cover.height
                alt=cover.alt.clone()
                decoding="async"
            />
            {described.then(|| view! {
                <p class="image-description">{use_lang().t().image_description} " " {cover.alt}</p>
            })}
        </figure>
    }
}
