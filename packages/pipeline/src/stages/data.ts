/**
 * The stages of @loopflow/data (sources, fields, text, series, splits and batching) and of
 * @loopflow/datasets (first-names, co2, spam-assassin).
 * Registered from here (plugins never import the pipeline package).
 */
import type { StageRegistry } from '../registry/registry';
import { csvStage, inlineStage, jsonLinesStage, linesStage } from './data/sources';
import { co2Stage, firstNamesStage, spamAssassinStage } from './data/datasets';
import { numericColumnsStage, textFieldStage } from './data/fields';
import { classifyStage, nextTokenStage, tokenizeStage, vocabularyStage } from './data/text';
import { scaleStage, windowsStage } from './data/series';
import { differenceStage } from './data/difference';
import { chronologicalSplitStage, randomSplitStage } from './data/splits';
import { batchStage } from './data/batching';

/** Registers the data stages. */
export function registerDataStages(registry: StageRegistry): StageRegistry {
  return registry
    .register(linesStage)
    .register(csvStage)
    .register(jsonLinesStage)
    .register(inlineStage)
    .register(firstNamesStage)
    .register(co2Stage)
    .register(spamAssassinStage)
    .register(textFieldStage)
    .register(numericColumnsStage)
    .register(tokenizeStage)
    .register(vocabularyStage)
    .register({ ...nextTokenStage, task: 'language-model' })
    .register({ ...classifyStage, task: 'classification' })
    .register(differenceStage)
    .register(scaleStage)
    .register({ ...windowsStage, task: 'forecast' })
    .register(randomSplitStage)
    .register(chronologicalSplitStage)
    .register(batchStage);
}
