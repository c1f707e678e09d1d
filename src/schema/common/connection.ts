// Relay connections, one generic definition: `XConnection { edges { cursor node } pageInfo totalCount }`
// and its `XEdge`, for any node type.

import { type ClassType, Field, Int, ObjectType } from 'type-graphql';
import { PageInfo } from './page-info.js';

export interface Edge<TNode> {
  cursor: string;
  node: TNode;
}

/** Base class of `${nodeName}Connection`; declares `${nodeName}Edge` on the way. */
export function ConnectionType<TNode>(nodeName: string, nodeType: () => ClassType | (abstract new () => unknown)) {
  @ObjectType(`${nodeName}Edge`)
  class EdgeType implements Edge<TNode> {
    @Field(() => String)
    cursor!: string;

    @Field(nodeType as () => ClassType)
    node!: TNode;
  }

  // Its fields are inherited by the concrete `XConnection`; never referenced itself, so never emitted.
  @ObjectType(`${nodeName}ConnectionBase`)
  abstract class ConnectionBase {
    @Field(() => [EdgeType])
    edges!: Edge<TNode>[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int)
    totalCount!: number;
  }
  return ConnectionBase;
}
