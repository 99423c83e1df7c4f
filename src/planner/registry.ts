// Every change kind has exactly one handler: this map is typed so that a missing kind fails to compile.
import type { ChangeKind, ChangeOf } from '../diff/index.js';
import { constraintHandlers } from './handlers/constraints.js';
import { objectHandlers } from './handlers/objects.js';
import { tableHandlers } from './handlers/tables.js';
import type { Handler } from './types.js';

export type HandlerMap = { readonly [K in ChangeKind]: Handler<ChangeOf<K>> };

export const HANDLERS: HandlerMap = { ...tableHandlers, ...constraintHandlers, ...objectHandlers };

export function handlerFor<K extends ChangeKind>(kind: K): Handler<ChangeOf<K>> {
  return HANDLERS[kind];
}
