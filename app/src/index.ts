// Public API of the Asymptote TypeScript client.
export * from "./accounts";
export * from "./client";
export * from "./coder";
export * from "./constants";
export * from "./errors";
export * from "./events";
export * from "./funding";
export * from "./instructions";
export * from "./pda";
export * from "./pyth";
export * from "./quotes";
export * from "./transport";
export * from "./units";
export { IDL, type Asymptote } from "./generated/asymptote";
