//! The crawler against real HTTP servers on loopback, each started by its test.

mod filters;
mod fuzz;
mod server;
mod web;
