//! The HTTP layer through the real router over real SQLite files; one module per URL family.

mod accessibility;
mod auth;
mod cache;
mod common;
mod editor;
mod events;
mod federation;
mod fuzz;
mod head;
mod inbox;
mod islands;
mod languages;
mod map;
mod news;
mod partnerships;
mod search;
mod site;
mod syndication;
