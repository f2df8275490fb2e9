/**
 * @file What the index embeds with beyond the model itself: the `t5Semantic.pooling` and `t5Semantic.layer`
 * settings, made canonical against the loaded model so that naming the model's own pooling or its last
 * layer is the same as leaving the setting empty (the same vectors, so the same storage: applying the lab's
 * best setting when it is the default re-embeds nothing). Pure.
 */
import type { ModelInfo, Pooling } from '../../shared/protocol';
import type { EngineSettings } from '../../shared/settings';
import { ModelError } from '../model/modelError';

/** Undefined fields mean the model's own: its pooling module, its final layer. */
export interface EmbeddingChoice {
  pooling?: Pooling;
  layer?: number;
}

type ChoiceModel = Pick<ModelInfo, 'id' | 'numLayers' | 'pooling' | 'allLayers'>;

/** The settings' choice for this model; a layer the model does not have is an error that says which exist. */
export function embeddingChoice(info: ChoiceModel, settings: Pick<EngineSettings, 'pooling' | 'layer'>): EmbeddingChoice {
  const choice: EmbeddingChoice = {};
  const own = info.pooling.length === 1 ? info.pooling[0] : undefined;
  if (settings.pooling !== 'auto' && settings.pooling !== own) choice.pooling = settings.pooling;
  const layer = settings.layer;
  if (layer !== null && layer !== info.numLayers) {
    if (!Number.isInteger(layer) || layer < 0 || layer > info.numLayers) {
      throw new ModelError(`t5Semantic.layer is ${layer}, but ${info.id} has layers 0 (token embeddings) to ${info.numLayers} (its output); leave it empty for the output.`);
    }
    if (!info.allLayers) throw new ModelError(`t5Semantic.layer is ${layer}, but the ONNX encoder shipped with ${info.id} exposes only its output; leave the setting empty.`);
    choice.layer = layer;
  }
  return choice;
}

export const isModelsOwn = (choice: EmbeddingChoice): boolean => choice.pooling === undefined && choice.layer === undefined;

/** How a choice reads in logs and status text: "cls pooling at layer 1", "the model's own pooling and layer". */
export function describeChoice(choice: EmbeddingChoice): string {
  if (isModelsOwn(choice)) return "the model's own pooling at its last layer";
  return `${choice.pooling ?? "the model's own"} pooling at ${choice.layer === undefined ? 'the last layer' : `layer ${choice.layer}`}`;
}
