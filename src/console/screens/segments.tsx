/**
 * Segments (issue #11, screen 3): the Page's segments with their counts, and a
 * rule builder (all/any/none groups, nested; built-in fields and the attributes
 * seen in the Page's audience; a comparison and a value input fitting each kind
 * of value) that shows, as the rules change, how many users match, how many are
 * reachable now and a sample of them.
 *
 * The editor counts the rules on screen through `POST …/segments/preview`
 * (nothing stored; a bad rule is refused with the same `details[].field` paths
 * as a save), and suggests the attributes `GET …/attributes` finds on the Page's
 * newest users, with their kind of value and example values.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiFailure, type ErrorDetail } from '../api';
import { href, navigate } from '../router';
import {
  Button,
  ConfirmButton,
  Empty,
  ErrorNotice,
  Loading,
  Notice,
  ScreenHeader,
  TextField,
  TableScroll,
} from '../ui/components';
import { asFailure, useAction, useApi, useDebounced } from '../ui/hooks';
import { formatNumber, formatTime } from '../ui/time';
import {
  appendChild,
  attributeSuggestions,
  BUILT_IN_FIELDS,
  dayOf,
  isListOp,
  localMidnight,
  newCondition,
  newGroup,
  OP_LABELS,
  opsFor,
  parentOf,
  parseRules,
  placeErrors,
  removeNode,
  serialize,
  takesNoValue,
  TYPE_LABELS,
  updateNode,
  withField,
  withOp,
  withType,
  type AttributeInfo,
  type AttributeSummary,
  type ConditionNode,
  type FieldType,
  type GroupMode,
  type GroupNode,
  type PlacedError,
  type RuleNode,
  type Serialized,
  type UiOp,
} from './segment-rules';
import type { SegmentView } from '../types';
import './segments.css';

interface SampleUser {
  psid: string;
  firstName?: string;
  lastName?: string;
  lastInboundAt?: string;
  suppressed: boolean;
  attributes: Record<string, unknown>;
  [key: string]: unknown;
}

interface PreviewAnswer {
  count: number;
  reachable: number;
  sample: SampleUser[];
}

interface AttributesAnswer {
  /** How many users (the newest) the attributes were read from. */
  sampled: number;
  items: AttributeSummary[];
  /** The locales and timezones seen on the same users. */
  builtIns: { locale: string[]; timezone: string[] };
}

const SAMPLE_SIZE = 10;
/** The sources a user can have (SPEC §8); the locales and timezones come from the data. */
const SOURCES = ['api', 'csv', 'webhook'];

const segmentsPath = (pageId: string) => `/pages/${pageId}/segments`;

/** Set by a save that created a segment, so the editor it opens says it was saved. */
let justCreated: string | undefined;

// ---------------------------------------------------------------------------
// The list

export function SegmentsScreen(props: { pageId: string }) {
  const { pageId } = props;
  const list = useApi<{ items: SegmentView[] }>(segmentsPath(pageId));
  const [deleting, setDeleting] = useState<string>();
  const [deleted, setDeleted] = useState<string>();
  const remove = useAction(async (segment: SegmentView) => {
    setDeleting(segment.id);
    setDeleted(undefined);
    try {
      await api('DELETE', `${segmentsPath(pageId)}/${segment.id}`);
      setDeleted(segment.name);
      list.reload();
    } finally {
      setDeleting(undefined);
    }
  });

  const segments = list.data?.items;

  return (
    <>
      <ScreenHeader title="Segments">
        <a
          class="button button--primary segment-link-button"
          href={href(`${segmentsPath(pageId)}/new`)}
        >
          New segment
        </a>
      </ScreenHeader>
      <ErrorNotice error={list.error} title="Segments could not be loaded" />
      <ErrorNotice error={remove.error} title="Not deleted" />
      {deleted && <Notice kind="success">The segment “{deleted}” was deleted.</Notice>}
      {!segments && list.loading && <Loading what="segments" />}
      {segments && segments.length === 0 && (
        <Empty>
          <p>No segments yet. A segment picks the users a campaign goes to.</p>
          <a
            class="button button--primary segment-link-button"
            href={href(`${segmentsPath(pageId)}/new`)}
          >
            Build the first segment
          </a>
        </Empty>
      )}
      {segments && segments.length > 0 && (
        <section aria-labelledby="segments-heading">
          <h2 id="segments-heading" class="visually-hidden">
            Segments of this Page
          </h2>
          <TableScroll label="Segments">
            <table class="segments-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" class="number">
                    Users
                  </th>
                  <th scope="col" class="number">
                    Reachable now
                  </th>
                  <th scope="col" class="segment-updated">
                    Last changed
                  </th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {segments.map((segment) => (
                  <SegmentRow
                    key={segment.id}
                    pageId={pageId}
                    segment={segment}
                    deleting={deleting === segment.id}
                    onDelete={() => remove.run(segment)}
                  />
                ))}
              </tbody>
            </table>
          </TableScroll>
          <p class="hint">
            Reachable now: not opted out, and wrote to the Page in the last 24 hours (or came from a
            Click-to-Messenger ad in the last 7 days), so a standard message can reach them now.
          </p>
        </section>
      )}
    </>
  );
}

function SegmentRow(props: {
  pageId: string;
  segment: SegmentView;
  deleting: boolean;
  onDelete: () => Promise<unknown>;
}) {
  const { segment } = props;
  const counts = useApi<PreviewAnswer>(
    `${segmentsPath(props.pageId)}/${segment.id}/preview?sampleSize=0`,
  );
  const editPath = href(`${segmentsPath(props.pageId)}/${segment.id}`);
  const countCell = (value: number | undefined) =>
    counts.error ? (
      <span class="segment-count-problem">
        {counts.error.code === 'segment_rules_invalid' ? 'Rules need fixing' : 'Not counted'}
      </span>
    ) : value === undefined ? (
      <span class="segment-muted">…</span>
    ) : (
      formatNumber(value)
    );
  return (
    <tr>
      <th scope="row">
        <a href={editPath}>{segment.name}</a>
        <span class="segment-updated-inline">Changed {formatTime(segment.updatedAt)}</span>
      </th>
      <td class="number">{countCell(counts.data?.count)}</td>
      <td class="number">{countCell(counts.data?.reachable)}</td>
      <td class="segment-updated">{formatTime(segment.updatedAt)}</td>
      <td>
        <div class="actions segment-row-actions">
          <a class="button button--secondary segment-link-button segment-edit" href={editPath}>
            Edit<span class="visually-hidden"> {segment.name}</span>
          </a>
          <ConfirmButton
            label="Delete"
            variant="danger"
            question={`Delete the segment “${segment.name}”? This cannot be undone. A segment that a campaign still uses cannot be deleted.`}
            confirmLabel="Delete segment"
            busy={props.deleting}
            onConfirm={props.onDelete}
          />
        </div>
      </td>
    </tr>
  );
}

// ---------------------------------------------------------------------------
// The editor

export function SegmentEditorScreen(props: { pageId: string; segmentId: string }) {
  const { pageId, segmentId } = props;
  const isNew = segmentId === 'new';
  const segment = useApi<SegmentView>(isNew ? null : `${segmentsPath(pageId)}/${segmentId}`);
  const attributes = useApi<AttributesAnswer>(`/pages/${pageId}/attributes`);
  const title = isNew ? 'New segment' : (segment.data?.name ?? 'Segment');
  const back = (
    <a class="button button--secondary segment-link-button" href={href(segmentsPath(pageId))}>
      All segments
    </a>
  );
  if (!isNew && segment.error)
    return (
      <>
        <ScreenHeader title="Segment">{back}</ScreenHeader>
        <ErrorNotice
          error={segment.error}
          title={segment.error.status === 404 ? 'This segment does not exist' : 'Not loaded'}
        />
      </>
    );
  // The attributes' kinds of value are needed to read saved rules back (a number, a date…).
  if ((!isNew && !segment.data) || (attributes.loading && !attributes.data && !attributes.error))
    return (
      <>
        <ScreenHeader title={title}>{back}</ScreenHeader>
        <Loading what="the segment" />
      </>
    );
  return (
    <Editor
      key={segmentId}
      pageId={pageId}
      segment={isNew ? undefined : segment.data}
      attributes={attributes.data?.items ?? []}
      builtIns={attributes.data?.builtIns}
      attributesError={attributes.error}
      back={back}
    />
  );
}

interface Suggestions {
  attributes: AttributeInfo[];
  examples: Map<string, string[]>;
}

function Editor(props: {
  pageId: string;
  segment?: SegmentView;
  attributes: AttributeSummary[];
  builtIns?: AttributesAnswer['builtIns'];
  attributesError?: ApiFailure;
  back: ComponentChildren;
}) {
  const { pageId, segment } = props;
  const suggestions = useMemo<Suggestions>(() => {
    const attributes = attributeSuggestions(props.attributes);
    const examples = new Map<string, string[]>();
    for (const attribute of attributes)
      examples.set(`attribute:${attribute.name}`, attribute.examples);
    const builtIns = { source: SOURCES, ...props.builtIns };
    for (const [name, values] of Object.entries(builtIns)) examples.set(`builtin:${name}`, values);
    return { attributes, examples };
  }, [props.attributes, props.builtIns]);

  const initial = useMemo(() => {
    const known = new Map(suggestions.attributes.map((a) => [a.name, a.type] as const));
    const root = segment ? parseRules(segment.rules, known) : newGroup('all');
    return { root, rulesJson: JSON.stringify(serialize(root).rules) };
    // Only when the editor opens: later suggestions do not rebuild the tree.
  }, []);
  const [name, setName] = useState(segment?.name ?? '');
  const [root, setRoot] = useState<GroupNode>(initial.root);
  const [saved, setSaved] = useState({
    id: segment?.id,
    name: segment?.name ?? '',
    rulesJson: initial.rulesJson,
  });
  const [ruleErrors, setRuleErrors] = useState<Map<string, PlacedError[]>>(new Map());
  const [notice, setNotice] = useState<string | undefined>(
    segment && justCreated === segment.id ? 'Saved.' : undefined,
  );
  useEffect(() => {
    justCreated = undefined;
  }, []);
  const [focusRequest, setFocusRequest] = useState<string>();
  const container = useRef<HTMLDivElement>(null);
  // At once after the change is drawn, so a key pressed next goes to the new control.
  useLayoutEffect(() => {
    if (!focusRequest) return;
    container.current?.querySelector<HTMLElement>(`[data-focus="${focusRequest}"]`)?.focus();
    setFocusRequest(undefined);
  }, [focusRequest]);

  const serialized = useMemo(() => serialize(root), [root]);
  const rulesJson = JSON.stringify(serialized.rules);
  const dirty = name !== saved.name || rulesJson !== saved.rulesJson;
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    addEventListener('beforeunload', warn);
    return () => removeEventListener('beforeunload', warn);
  }, [dirty]);

  const showRuleErrors = (details: ErrorDetail[], paths: Serialized['paths']) =>
    setRuleErrors(placeErrors(details, paths).byNode);
  const preview = useLivePreview({
    pageId,
    serialized,
    rulesJson,
    onRuleErrors: showRuleErrors,
  });

  const touched = (key: string) => {
    setNotice(undefined);
    setRuleErrors((errors) => {
      if (!errors.has(key)) return errors;
      const next = new Map(errors);
      next.delete(key);
      return next;
    });
  };
  const tree: TreeActions = {
    edit: (key, change) => {
      setRoot((current) => updateNode(current, key, change));
      touched(key);
    },
    remove: (key) => {
      const parent = parentOf(root, key);
      setRoot((current) => removeNode(current, key));
      touched(key);
      if (parent) setFocusRequest(`${parent.key}:add`);
    },
    addCondition: (groupKey) => {
      const child = newCondition();
      setRoot((current) => appendChild(current, groupKey, child));
      touched(groupKey);
      setFocusRequest(`${child.key}:field`);
    },
    addGroup: (groupKey) => {
      const child = newGroup('any');
      setRoot((current) => appendChild(current, groupKey, child));
      touched(groupKey);
      setFocusRequest(`${child.key}:mode`);
    },
  };

  const save = useAction(async () => {
    const sent = serialize(root);
    const body = { name: name.trim(), rules: sent.rules as Record<string, unknown> };
    try {
      if (!saved.id) {
        const created = await api<SegmentView>('POST', segmentsPath(pageId), body);
        justCreated = created.id;
        setSaved({ id: created.id, name: created.name, rulesJson });
        navigate(`${segmentsPath(pageId)}/${created.id}`);
        return;
      }
      const updated = await api<SegmentView>('PATCH', `${segmentsPath(pageId)}/${saved.id}`, body);
      setName(updated.name);
      setSaved({ id: updated.id, name: updated.name, rulesJson });
      setRuleErrors(new Map());
      setNotice('Saved.');
    } catch (error) {
      const failure = asFailure(error);
      if (failure.status === 400) showRuleErrors(failure.details, sent.paths);
      throw failure;
    }
  });
  const remove = useAction(async () => {
    if (!saved.id) return;
    await api('DELETE', `${segmentsPath(pageId)}/${saved.id}`);
    setSaved((current) => ({ ...current, name, rulesJson }));
    navigate(segmentsPath(pageId));
  });

  const attributeOptions = useMemo(() => {
    const options = new Map(suggestions.attributes.map((a) => [a.name, a.type] as const));
    const visit = (node: RuleNode) => {
      if (node.kind === 'group') node.children.forEach(visit);
      else if (node.source === 'attribute' && !node.custom && node.name && !options.has(node.name))
        options.set(node.name, node.type);
    };
    visit(root);
    return [...options.entries()].map(([attribute, type]) => ({ name: attribute, type }));
  }, [suggestions, root]);

  const saveError = save.error;
  const placedOnly =
    saveError?.status === 400 &&
    saveError.details.length > 0 &&
    saveError.details.every((d) => d.field === 'name' || d.field.startsWith('rules'));

  return (
    <div ref={container}>
      <ScreenHeader title={saved.id ? saved.name || 'Segment' : 'New segment'}>
        {props.back}
        {saved.id && (
          <ConfirmButton
            label="Delete segment"
            variant="danger"
            question={`Delete the segment “${saved.name}”? This cannot be undone.`}
            busy={remove.busy}
            onConfirm={() => remove.run()}
          />
        )}
      </ScreenHeader>
      <ErrorNotice error={remove.error} title="Not deleted" />
      {props.attributesError && (
        <Notice kind="warning">
          The audience’s attributes could not be read, so none are suggested: choose “Another
          attribute…” and type its name.
        </Notice>
      )}
      <div class="split segment-editor">
        <div class="segment-builder">
          <section aria-labelledby="segment-about">
            <h2 id="segment-about" class="visually-hidden">
              Name
            </h2>
            <TextField
              label="Segment name"
              field="name"
              value={name}
              error={saveError}
              limit={200}
              required
              placeholder="Lyon regulars"
              onInput={(value) => {
                setName(value);
                setNotice(undefined);
              }}
            />
          </section>
          <section aria-labelledby="segment-rules">
            <h2 id="segment-rules">Who is in it</h2>
            <p class="hint">
              Combine conditions on the users’ details and attributes. Groups can hold groups.
            </p>
            <RuleGroup
              node={root}
              number=""
              depth={1}
              actions={tree}
              errors={ruleErrors}
              attributes={attributeOptions}
              examples={suggestions.examples}
            />
          </section>
          {saveError &&
            (placedOnly ? (
              <div class="notice notice--error" role="alert">
                <strong>Not saved</strong>: fix what is marked in red.
              </div>
            ) : (
              <ErrorNotice error={saveError} title="Not saved" shownFields={['name', 'rules']} />
            ))}
          {notice && <Notice kind="success">{notice}</Notice>}
          <div class="actions segment-save">
            <Button
              variant="primary"
              busy={save.busy}
              busyLabel="Saving…"
              onClick={() => void save.run()}
            >
              Save segment
            </Button>
            {dirty && (
              <span class="unsaved" role="status">
                Unsaved changes
              </span>
            )}
            {/* On a phone the count panel is below the rules: this keeps the numbers in sight. */}
            {preview.state.status === 'ready' && preview.state.answer && (
              <span class="segment-save__count" aria-hidden="true">
                {formatNumber(preview.state.answer.count)} users ·{' '}
                {formatNumber(preview.state.answer.reachable)} reachable now
              </span>
            )}
          </div>
        </div>
        <PreviewPanel pageId={pageId} state={preview.state} />
      </div>
    </div>
  );
}

// ---------------------------------------------------------------------------
// The rule tree

interface TreeActions {
  edit: (key: string, change: (node: RuleNode) => RuleNode) => void;
  remove: (key: string) => void;
  addCondition: (groupKey: string) => void;
  addGroup: (groupKey: string) => void;
}

interface TreeProps {
  actions: TreeActions;
  errors: Map<string, PlacedError[]>;
  attributes: { name: string; type: FieldType }[];
  examples: Map<string, string[]>;
}

const MODE_LABELS: Record<GroupMode, string> = {
  all: 'all of these',
  any: 'any of these',
  none: 'none of these',
};
const JOINERS: Record<GroupMode, string> = { all: 'and', any: 'or', none: 'or' };

function RuleGroup(props: TreeProps & { node: GroupNode; number: string; depth: number }) {
  const { node, actions } = props;
  const modeId = useId();
  const errorId = useId();
  const errors = props.errors.get(node.key) ?? [];
  const isRoot = props.number === '';
  const name = isRoot ? 'Users who match' : `Group ${props.number}`;
  const suffix = isRoot ? '' : ` to group ${props.number}`;
  return (
    <fieldset
      class={`rule-group rule-group--${props.depth % 2 ? 'odd' : 'even'}${errors.length ? ' rule-group--invalid' : ''}`}
    >
      <legend>{name}</legend>
      <div class="rule-group__head">
        <div class="rule-control rule-control--mode">
          <label for={modeId}>Match</label>
          <select
            id={modeId}
            data-focus={`${node.key}:mode`}
            value={node.mode}
            aria-invalid={errors.length > 0}
            aria-describedby={errors.length ? errorId : undefined}
            onChange={(event) => {
              const mode = event.currentTarget.value as GroupMode;
              actions.edit(node.key, (current) => ({ ...current, mode }) as GroupNode);
            }}
          >
            {(Object.keys(MODE_LABELS) as GroupMode[]).map((mode) => (
              <option key={mode} value={mode}>
                {MODE_LABELS[mode]}
              </option>
            ))}
          </select>
        </div>
        {!isRoot && (
          <Button onClick={() => actions.remove(node.key)}>
            Remove<span class="visually-hidden"> group {props.number}</span>
          </Button>
        )}
      </div>
      {errors.length > 0 && (
        <div id={errorId}>
          {errors.map((error) => (
            <p class="field-error" key={error.reason}>
              {error.reason}
            </p>
          ))}
        </div>
      )}
      {node.children.length === 0 ? (
        <p class="hint">This group is empty: add a condition to it.</p>
      ) : (
        <ol class="rule-list">
          {node.children.map((child, index) => {
            const number = props.number ? `${props.number}.${index + 1}` : `${index + 1}`;
            return (
              <li key={child.key}>
                {index > 0 && (
                  <span class="rule-joiner" aria-hidden="true">
                    {JOINERS[node.mode]}
                  </span>
                )}
                {child.kind === 'group' ? (
                  <RuleGroup {...props} node={child} number={number} depth={props.depth + 1} />
                ) : (
                  <RuleCondition {...props} node={child} number={number} />
                )}
              </li>
            );
          })}
        </ol>
      )}
      <div class="actions rule-group__actions">
        <Button data-focus={`${node.key}:add`} onClick={() => actions.addCondition(node.key)}>
          Add condition<span class="visually-hidden">{suffix}</span>
        </Button>
        <Button onClick={() => actions.addGroup(node.key)}>
          Add group<span class="visually-hidden">{suffix}</span>
        </Button>
      </div>
    </fieldset>
  );
}

/** A labelled control of a condition, with the API's reasons for its part. */
function Control(props: {
  label: string;
  errors: PlacedError[];
  hint?: ComponentChildren;
  class?: string;
  children: (ids: { id: string; describedBy?: string; invalid: boolean }) => ComponentChildren;
}) {
  const id = useId();
  const describedBy =
    [props.hint ? `${id}-hint` : '', props.errors.length ? `${id}-error` : '']
      .filter(Boolean)
      .join(' ') || undefined;
  return (
    <div class={`rule-control ${props.class ?? ''}`}>
      <label for={id}>{props.label}</label>
      {props.children({ id, describedBy, invalid: props.errors.length > 0 })}
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.errors.length > 0 && (
        <p class="field-error" id={`${id}-error`}>
          {props.errors.map((error) => error.reason).join('; ')}
        </p>
      )}
    </div>
  );
}

function fieldValue(node: ConditionNode): string {
  if (node.custom) return 'other';
  if (!node.source) return '';
  return `${node.source}:${node.name}`;
}

function RuleCondition(props: TreeProps & { node: ConditionNode; number: string }) {
  const { node, actions } = props;
  const errors = props.errors.get(node.key) ?? [];
  const errorsOf = (part: string) => errors.filter((error) => error.part === part);
  const general = errorsOf('');
  const edit = (change: (current: ConditionNode) => ConditionNode) =>
    actions.edit(node.key, (current) => change(current as ConditionNode));
  const pickField = (value: string) => {
    if (value === 'other')
      return edit((current) =>
        withField(current, { source: 'attribute', name: '', custom: true, type: current.type }),
      );
    const [source, ...rest] = value.split(':');
    const picked = rest.join(':');
    if (source === 'builtin') {
      const field = BUILT_IN_FIELDS.find((f) => f.name === picked)!;
      return edit((current) =>
        withField(current, { source: 'builtin', name: picked, custom: false, type: field.type }),
      );
    }
    if (source === 'attribute') {
      const type = props.attributes.find((a) => a.name === picked)?.type ?? 'string';
      return edit((current) =>
        withField(current, { source: 'attribute', name: picked, custom: false, type }),
      );
    }
    edit((current) => withField(current, { source: '', name: '', custom: false, type: 'string' }));
  };
  const examples = props.examples.get(`${node.source}:${node.name}`) ?? [];
  return (
    <fieldset class={`rule-condition${errors.length ? ' rule-condition--invalid' : ''}`}>
      <legend class="visually-hidden">Condition {props.number}</legend>
      <div class="rule-condition__controls">
        <Control
          label="Field"
          class="rule-control--field"
          errors={[...errorsOf('attribute'), ...(node.custom ? [] : general)]}
        >
          {({ id, describedBy, invalid }) => (
            <select
              id={id}
              data-focus={`${node.key}:field`}
              value={fieldValue(node)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              onChange={(event) => pickField(event.currentTarget.value)}
            >
              <option value="">Choose a field…</option>
              <optgroup label="User details">
                {BUILT_IN_FIELDS.map((field) => (
                  <option key={field.name} value={`builtin:${field.name}`}>
                    {field.label}
                  </option>
                ))}
              </optgroup>
              {props.attributes.length > 0 && (
                <optgroup label="Attributes">
                  {props.attributes.map((attribute) => (
                    <option key={attribute.name} value={`attribute:${attribute.name}`}>
                      {attribute.name} ({TYPE_LABELS[attribute.type]})
                    </option>
                  ))}
                </optgroup>
              )}
              <option value="other">Another attribute…</option>
            </select>
          )}
        </Control>
        {node.custom && (
          <>
            <Control label="Attribute name" errors={[...errorsOf('attribute'), ...general]}>
              {({ id, describedBy, invalid }) => (
                <input
                  id={id}
                  type="text"
                  value={node.name}
                  autocomplete="off"
                  spellcheck={false}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  onInput={(event) => {
                    const typed = event.currentTarget.value;
                    edit((current) => ({ ...current, name: typed }));
                  }}
                />
              )}
            </Control>
            <Control label="Kind of value" errors={[]}>
              {({ id }) => (
                <select
                  id={id}
                  value={node.type}
                  onChange={(event) => {
                    const type = event.currentTarget.value as FieldType;
                    edit((current) => withType(current, type));
                  }}
                >
                  {(Object.keys(TYPE_LABELS) as FieldType[]).map((type) => (
                    <option key={type} value={type}>
                      {TYPE_LABELS[type]}
                    </option>
                  ))}
                </select>
              )}
            </Control>
          </>
        )}
        <Control label="Comparison" errors={errorsOf('op')}>
          {({ id, describedBy, invalid }) => (
            <select
              id={id}
              data-focus={`${node.key}:op`}
              value={node.op}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              onChange={(event) => {
                const op = event.currentTarget.value as UiOp;
                edit((current) => withOp(current, op));
              }}
            >
              {opsFor(node.type, node.op).map((op) => (
                <option key={op} value={op}>
                  {OP_LABELS[op] ?? op}
                </option>
              ))}
            </select>
          )}
        </Control>
        <ValueInput
          node={node}
          errors={errorsOf('value')}
          examples={examples}
          onChange={(text) => edit((current) => ({ ...current, text }))}
        />
        <div class="rule-condition__remove">
          <Button onClick={() => actions.remove(node.key)}>
            Remove<span class="visually-hidden"> condition {props.number}</span>
          </Button>
        </div>
      </div>
    </fieldset>
  );
}

function ValueInput(props: {
  node: ConditionNode;
  errors: PlacedError[];
  examples: string[];
  onChange: (text: string) => void;
}) {
  const { node, errors } = props;
  const listId = useId();
  if (takesNoValue(node.op)) return null;
  const set = (event: { currentTarget: { value: string } }) =>
    props.onChange(event.currentTarget.value);
  if (isListOp(node.op))
    return (
      <Control label="Values" errors={errors} hint="One a line" class="rule-control--value">
        {({ id, describedBy, invalid }) => (
          <textarea
            id={id}
            rows={3}
            value={node.text}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            onInput={set}
          />
        )}
      </Control>
    );
  if (node.op === 'withinLastDays')
    return (
      <Control label="Days" errors={errors} class="rule-control--value">
        {({ id, describedBy, invalid }) => (
          <span class="with-unit">
            <input
              id={id}
              type="number"
              inputMode="decimal"
              min={0}
              step="any"
              value={node.text}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              onInput={set}
            />
            <span aria-hidden="true">days</span>
          </span>
        )}
      </Control>
    );
  if (node.type === 'date') {
    const starts = node.text ? formatTime(node.text) : '';
    return (
      <Control
        label="Date"
        errors={errors}
        hint={starts && starts !== '—' ? `From ${starts}` : undefined}
        class="rule-control--value"
      >
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            type="date"
            value={dayOf(node.text)}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            onInput={(event) => {
              const day = event.currentTarget.value;
              props.onChange(day ? localMidnight(day) : '');
            }}
          />
        )}
      </Control>
    );
  }
  if (node.type === 'boolean')
    return (
      <Control label="Value" errors={errors} class="rule-control--value">
        {({ id, describedBy, invalid }) => (
          <select
            id={id}
            value={node.text === 'false' ? 'false' : 'true'}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            onChange={set}
          >
            <option value="true">yes</option>
            <option value="false">no</option>
          </select>
        )}
      </Control>
    );
  // Text and numbers: the values seen on the Page's newest users are offered as they type.
  const isNumber = node.type === 'number';
  return (
    <Control label="Value" errors={errors} class="rule-control--value">
      {({ id, describedBy, invalid }) => (
        <>
          <input
            id={id}
            type={isNumber ? 'number' : 'text'}
            inputMode={isNumber ? 'decimal' : undefined}
            step={isNumber ? 'any' : undefined}
            value={node.text}
            list={props.examples.length ? listId : undefined}
            autocomplete="off"
            aria-describedby={describedBy}
            aria-invalid={invalid}
            onInput={set}
          />
          {props.examples.length > 0 && (
            <datalist id={listId}>
              {props.examples.map((example) => (
                <option key={example} value={example} />
              ))}
            </datalist>
          )}
        </>
      )}
    </Control>
  );
}

// ---------------------------------------------------------------------------
// The live count

interface PreviewState {
  status: 'incomplete' | 'counting' | 'ready' | 'invalid' | 'failed';
  answer?: PreviewAnswer;
  error?: ApiFailure;
  busy: boolean;
}

/**
 * Counts the rules as they are on screen, 400 ms after they stop changing
 * (`POST …/segments/preview`, nothing stored). A request for rules since changed
 * is cancelled, and only the latest answer is shown; the API's reasons for a bad
 * rule go to the rows they name.
 */
function useLivePreview(options: {
  pageId: string;
  serialized: Serialized;
  rulesJson: string;
  onRuleErrors: (details: ErrorDetail[], paths: Serialized['paths']) => void;
}) {
  const { pageId } = options;
  const [state, setState] = useState<PreviewState>({ status: 'counting', busy: true });
  const latest = useRef(options);
  latest.current = options;
  const settled = useDebounced(options.rulesJson, 400);

  useEffect(() => {
    const { serialized } = latest.current;
    if (JSON.stringify(serialized.rules) !== settled) return; // a newer change is on its way
    if (serialized.incomplete) {
      setState((previous) => ({ ...previous, status: 'incomplete', busy: false }));
      return;
    }
    const controller = new AbortController();
    setState((previous) => ({ ...previous, busy: true }));
    api<PreviewAnswer>(
      'POST',
      `${segmentsPath(pageId)}/preview`,
      { rules: serialized.rules as Record<string, unknown>, sampleSize: SAMPLE_SIZE },
      { signal: controller.signal },
    ).then(
      (answer) => {
        if (controller.signal.aborted) return;
        latest.current.onRuleErrors([], serialized.paths);
        setState({ status: 'ready', answer, busy: false });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const failure = asFailure(error);
        if (failure.status === 400 && failure.details.length > 0) {
          latest.current.onRuleErrors(failure.details, serialized.paths);
          setState((previous) => ({ ...previous, status: 'invalid', busy: false }));
        } else
          setState((previous) => ({ ...previous, status: 'failed', error: failure, busy: false }));
      },
    );
    return () => controller.abort();
  }, [settled, pageId]);

  // Changes still inside the 400 ms pause count as updating: the numbers shown are older.
  return { state: options.rulesJson === settled ? state : { ...state, busy: true } };
}

function PreviewPanel(props: { pageId: string; state: PreviewState }) {
  const { state } = props;
  // Numbers of rules since made incomplete or refused would mislead: only a counted state shows them.
  const answer = state.status === 'ready' ? state.answer : undefined;
  const stale = state.status !== 'ready' || state.busy;
  let status: string;
  if (state.status === 'incomplete') status = 'Fill in every condition to see who matches.';
  else if (state.status === 'invalid') status = 'Fix what is marked in red to see who matches.';
  else if (state.status === 'failed') status = 'The count could not be made.';
  else if (!answer) status = 'Counting…';
  else
    status = `${formatNumber(answer.count)} ${answer.count === 1 ? 'user matches' : 'users match'}, ${formatNumber(answer.reachable)} reachable now${state.busy ? ' (updating…)' : ''}.`;
  return (
    <aside
      class={`card segment-preview${stale ? ' segment-preview--stale' : ''}`}
      aria-labelledby="segment-preview-heading"
      aria-busy={state.busy}
    >
      <h2 id="segment-preview-heading">Who matches</h2>
      <p class="segment-preview__status" role="status">
        {status}
      </p>
      {state.status === 'failed' && <ErrorNotice error={state.error} title="Not counted" />}
      <dl class="stats">
        <div class="stat">
          <dt>Users</dt>
          <dd data-stat="count">{answer ? formatNumber(answer.count) : '—'}</dd>
        </div>
        <div class="stat">
          <dt>Reachable now</dt>
          <dd data-stat="reachable">{answer ? formatNumber(answer.reachable) : '—'}</dd>
        </div>
      </dl>
      <p class="hint">
        Reachable now: not opted out, and wrote to the Page in the last 24 hours (or came from a
        Click-to-Messenger ad in the last 7 days).
      </p>
      {answer && <h3>Sample</h3>}
      {answer && answer.sample.length === 0 && <p class="hint">Nobody matches these rules.</p>}
      {answer && answer.sample.length > 0 && (
        <ul class="segment-sample">
          {answer.sample.map((user) => (
            <li key={user.psid}>
              <a href={href(`/pages/${props.pageId}/users/${user.psid}`)}>
                {[user.firstName, user.lastName].filter(Boolean).join(' ') || 'No name'}
              </a>
              <span class="segment-sample__meta">
                PSID {user.psid}
                {user.suppressed ? ' · opted out' : ''}
              </span>
              <span class="segment-sample__meta">
                Last message: {user.lastInboundAt ? formatTime(user.lastInboundAt) : 'never'}
              </span>
            </li>
          ))}
        </ul>
      )}
      {answer && answer.count > answer.sample.length && (
        <p class="hint">
          Showing {answer.sample.length} of {formatNumber(answer.count)}.
        </p>
      )}
    </aside>
  );
}
