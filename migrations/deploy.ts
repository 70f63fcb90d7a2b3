// Run after `anchor deploy`: initialises Asymptote's protocol config and, with
// --create-pool, creates a first pool on a Pyth feed. The implementation lives in the
// client package (app/src/deploy.ts); install it first: `cd app && npm ci`.
//
//   as Anchor's migration:  anchor migrate            (uses Anchor.toml's cluster and wallet)
//   as a script:            cd app && npm run deploy -- --cluster devnet \
//                             [--create-pool --collateral <MINT> --feed-id <HEX> --deposit 1000]
import { anchorMigration, deployMain } from "../app/src/deploy";

module.exports = anchorMigration;

if (require.main === module) {
  void deployMain(process.argv.slice(2), {
    stdout: (line) => console.log(line),
    stderr: (line) => console.error(line),
    env: process.env,
  }).then((code) => {
    process.exitCode = code;
  });
}
