pub mod corpus;
pub mod engine;
pub mod net;
