/**
 * The OpenAPI links from a response holding a transaction to what can be done with it next
 * (read, void, post); `id` is the runtime expression of its id in the response body.
 */
export function transactionLinks(id: string) {
  return {
    GetTransaction: { operationId: 'getTransaction', parameters: { 'path.id': id } },
    VoidTransaction: { operationId: 'voidTransaction', parameters: { 'path.id': id } },
    PostTransaction: { operationId: 'postTransaction', parameters: { 'path.id': id } },
  };
}
