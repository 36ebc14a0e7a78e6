/**
 * @loopflow/datasets — loaders of the datasets that npm packages ship, read from the installed
 * packages with no network: English first names (stdlib, Moby Word II), the Mauna Loa CO2
 * series (vega-datasets) and the SpamAssassin mail corpus (stdlib). Each loader has a
 * synchronous form, a stream where the data is large, and an `*Info()` giving source, licence
 * and size from the package's own metadata. Depends on @loopflow/data (CSV typing, gap
 * filling, `DataError`); this is the only loopflow package that installs the data packages
 * (about 135 MB with SpamAssassin and vega-datasets).
 */
export { loadFirstNames, firstNamesInfo } from './first-names';
export type { FirstNames } from './first-names';
export { loadCo2Concentration, co2Concentration$, co2Info } from './co2-concentration';
export type { Co2Dataset, Co2Month } from './co2-concentration';
export { loadSpamAssassin, spamAssassin$, spamAssassinInfo, splitHeaders, bodyKey } from './spam-assassin';
export type { SpamGroup, SpamMessage } from './spam-assassin';
export { packageDir } from './package-files';
export type { DatasetInfo } from './package-files';
