/**
 * Initializers, regularizers and constraints of a custom layer, to and from model.json.
 *
 * Porting note: tfjs-layers' own getInitializer / serializeKerasObject helpers are not part
 * of the public API, so this does the same through public pieces: objects are written as
 * {className, config} (the format tfjs and Keras use in model.json) and read back through
 * tf.serialization's class registry, where tfjs-layers registers all of its built-ins.
 */
import * as tf from '@tensorflow/tfjs';
import { layerInitialisers } from '../model/initialisers';

export type Initializer = ReturnType<typeof tf.initializers.zeros>;
export type Regularizer = ReturnType<typeof tf.regularizers.l1l2>;
export type Constraint = ReturnType<typeof tf.constraints.maxNorm>;

/** A tfjs object as model.json stores it. */
export type SerializedObject = { className: string; config: tf.serialization.ConfigDict };

/** An Initializer, its name ('glorotUniform' or Keras' 'glorot_uniform'), or its serialized form. */
export type InitializerSpec = Initializer | string | SerializedObject;
export type RegularizerSpec = Regularizer | SerializedObject;
export type ConstraintSpec = Constraint | SerializedObject;

/** Keras's GRU defaults (glorotUniform, orthogonal, zeros) come from the workbench's one initialiser module. */
const NAMED_INITIALIZERS: Record<string, () => Initializer> = {
  glorotUniform: () => layerInitialisers.glorotUniform(),
  glorotNormal: () => tf.initializers.glorotNormal({}),
  heUniform: () => tf.initializers.heUniform({}),
  heNormal: () => tf.initializers.heNormal({}),
  leCunUniform: () => tf.initializers.leCunUniform({}),
  leCunNormal: () => tf.initializers.leCunNormal({}),
  orthogonal: () => layerInitialisers.orthogonal(),
  randomUniform: () => tf.initializers.randomUniform({}),
  randomNormal: () => tf.initializers.randomNormal({}),
  truncatedNormal: () => tf.initializers.truncatedNormal({}),
  zeros: () => layerInitialisers.zeros(),
  ones: () => tf.initializers.ones(),
};

const camelCase = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function isSerialized(value: unknown): value is SerializedObject {
  return typeof value === 'object' && value !== null && 'className' in value && 'config' in value && !(value instanceof tf.serialization.Serializable);
}

/** Rebuilds a registered tfjs object (initializer, regularizer, constraint) from {className, config}. */
function deserialize<T>(s: SerializedObject, kind: string): T {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[s.className];
  if (entry === undefined) throw new Error(`unknown ${kind} class "${s.className}" (not registered with tf.serialization)`);
  const [cls, fromConfig] = entry;
  return fromConfig(cls, s.config) as T;
}

export function toInitializer(spec: InitializerSpec | undefined, fallback: string): Initializer {
  const value = spec ?? fallback;
  if (typeof value === 'string') {
    const make = NAMED_INITIALIZERS[camelCase(value)];
    if (make === undefined) throw new Error(`unknown initializer "${value}"; use one of ${Object.keys(NAMED_INITIALIZERS).join(', ')} or pass an Initializer`);
    return make();
  }
  return isSerialized(value) ? deserialize<Initializer>(value, 'initializer') : value;
}

export function toRegularizer(spec: RegularizerSpec | null | undefined): Regularizer | undefined {
  if (spec == null) return undefined;
  return isSerialized(spec) ? deserialize<Regularizer>(spec, 'regularizer') : spec;
}

export function toConstraint(spec: ConstraintSpec | null | undefined): Constraint | undefined {
  if (spec == null) return undefined;
  return isSerialized(spec) ? deserialize<Constraint>(spec, 'constraint') : spec;
}

/** The model.json form of an initializer, regularizer or constraint (null when absent). */
export function serializeObject(obj: tf.serialization.Serializable | undefined): SerializedObject | null {
  return obj === undefined ? null : { className: obj.getClassName(), config: obj.getConfig() };
}
