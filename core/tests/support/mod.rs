pub mod corpus;
pub mod net;
