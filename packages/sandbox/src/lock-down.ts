// Freezes a context's global object and every built-in reachable from it, so that one context can serve run
// after run of a workspace's code steps: what a step might leave behind for the next run (a polluted
// prototype, a global, a replaced JSON) it cannot make in the first place. Each run still evaluates the
// step's module anew, so its own variables start fresh. The same idea as SES's lockdown(), cut to what a
// JSON-in, JSON-out step needs. Self-contained like the runtime: it is compiled into each isolate from
// its source, so no imports and nothing from the module around it.
export function lockDown(): void {
  const { freeze, getPrototypeOf, getOwnPropertyDescriptor, getOwnPropertyDescriptors, defineProperty } = Object;
  const { ownKeys, deleteProperty } = Reflect;
  const TypeErrorOf = TypeError;

  // RegExp's legacy statics (RegExp.$1, RegExp.lastMatch…) hold the last match of whatever ran before:
  // the previous run's data.
  const legacy = ["input", "$_", "lastMatch", "$&", "lastParen", "$+", "leftContext", "$`", "rightContext", "$'"];
  for (let n = 1; n <= 9; n++) legacy.push(`$${n}`);
  for (const name of legacy) {
    if (!deleteProperty(RegExp, name)) throw new TypeErrorOf(`RegExp.${name} could not be removed`);
  }

  // Assigning to a property a frozen prototype holds fails (the "override mistake"), which would break
  // ordinary code: `record.toString = …`, `out[key] = value` for a key named "constructor", `this.name = …`
  // in an Error subclass. For the properties code sets that way, the prototype holds an accessor instead,
  // whose setter gives the object its own property. Array and Promise prototypes are left as they are:
  // V8's fast paths for arrays and promises watch those properties.
  const allowOverride = (prototype: object, names: readonly PropertyKey[]) => {
    for (const name of names) {
      const descriptor = getOwnPropertyDescriptor(prototype, name);
      if (!descriptor || !("value" in descriptor)) continue;
      const value: unknown = descriptor.value;
      defineProperty(prototype, name, {
        get: () => value,
        set(this: unknown, next: unknown) {
          if (this === prototype) {
            throw new TypeErrorOf(`Cannot assign to read only property '${String(name)}' of a built-in prototype`);
          }
          defineProperty(this, name, { value: next, writable: true, enumerable: true, configurable: true });
        },
        enumerable: descriptor.enumerable ?? false,
        configurable: false,
      });
    }
  };
  allowOverride(Object.prototype, ownKeys(Object.prototype));
  allowOverride(Function.prototype, ["constructor", "toString"]);
  allowOverride(Error.prototype, ["constructor", "name", "message", "toString"]);
  for (const NativeError of [EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, AggregateError]) {
    allowOverride(NativeError.prototype, ["constructor", "name", "message"]);
  }

  // Some built-ins are reachable only through an instance: the prototypes of async and generator functions,
  // of the iterators arrays, maps, sets, strings, regular expressions, iterator helpers and segmenters make,
  // and the accessor of an error's own `stack`.
  const { Iterator } = globalThis as unknown as { Iterator?: { from(items: object): Iterator<unknown> } };
  const helper = Iterator?.from([]) as unknown as { map?: (f: (item: unknown) => unknown) => unknown } | undefined;
  const wrapped = Iterator?.from({ next: () => ({ done: true, value: undefined }) });
  const segments = new Intl.Segmenter().segment("");
  const pending: unknown[] = [
    globalThis,
    async () => {},
    function* () {},
    async function* () {},
    (function* () {})(),
    (async function* () {})(),
    [][Symbol.iterator](),
    new Map()[Symbol.iterator](),
    new Set()[Symbol.iterator](),
    ""[Symbol.iterator](),
    /./[Symbol.matchAll](""),
    helper,
    helper?.map?.((item) => item),
    wrapped,
    new Error(),
    segments,
    segments[Symbol.iterator](),
  ];
  const seen = new WeakSet<object>();
  while (pending.length) {
    const value = pending.pop();
    if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value)) continue;
    seen.add(value);
    pending.push(getPrototypeOf(value));
    const descriptors = getOwnPropertyDescriptors(value) as Record<PropertyKey, PropertyDescriptor>;
    for (const key of ownKeys(descriptors)) {
      const descriptor = descriptors[key] as PropertyDescriptor;
      pending.push(descriptor.value, descriptor.get, descriptor.set);
    }
    freeze(value);
  }
}
