// Background revalidation (RFC 5861 §3, stale-while-revalidate): the client already got the stale copy; this
// refreshes the cache for the next ones. Detached from the client connection, so it owns its data.
#include "http/cache/validation.hpp"
#include "http/proxy/session.hpp"

namespace endhost::http::proxy {

namespace {

// `work` counts this coroutine as in flight for the drain until its frame is gone (core/work_counter.hpp).
awaitable<void> revalidate(ProxyState& st, LoopData& loop, Route route, Request request,
                           cache::ObjectPtr stored, core::WorkToken work) {
  (void)work;
  const std::string key = stored->meta().key;
  bool leader = false;
  auto flight = st.flights.join(key, leader);
  if (!leader) co_return;  // someone is already fetching it
  FlightGuard guard(st.flights, std::move(flight));
  std::vector<FieldView> views;
  for (const Field& f : request.fields) views.push_back({f.name, f.value});
  Fields validators;
  cache::add_validators(validators, stored->meta().fields);
  std::string bytes;
  UpstreamRequest up;
  up.method = "GET";
  up.route = &route;
  up.client_fields = FieldsView(views);
  up.via = st.config.via;
  up.surrogate_capability = st.config.surrogate_capability;
  up.extra = &validators;
  up.drop_conditionals = true;
  up.drop_range = true;
  append_upstream_request(bytes, up);
  const core::Clock& clock = st.clock;
  const cache::Time request_time = clock.wall_now();
  Exchange ex(loop.pool, st.exchange);
  auto started = co_await ex.start(route.upstream_host, route.upstream_port, bytes, Method::get, true);
  if (!started) {
    st.metrics.upstream_errors.inc(1);
    co_return;
  }
  const std::string date(loop.dates.get(std::time(nullptr)));
  const ResponseHead& rh = ex.head();
  if (rh.status == Status::not_modified && cache::not_modified_selects(stored->meta().fields, rh.fields)) {
    cache::ObjectMeta meta = stored->meta();
    meta.fields = cache::freshen_fields(stored->meta().fields, rh.fields);
    strip_set_cookie(st.config, meta.fields);  // as on the client's path (session_cache.cpp)
    if (!meta.fields.contains("date")) meta.fields.add("Date", date);
    meta.request_time = request_time;
    meta.response_time = clock.wall_now();
    ex.finish();
    st.metrics.revalidations.inc(1);
    co_await freshen_on_disk(st, stored, std::move(meta));
    co_return;
  }
  const cache::CacheControl req_cc = cache::parse_cache_control(request.fields);
  StorePlan plan = plan_store(st, key, FieldsView(views), req_cc, rh, request_time, clock.wall_now(), date);
  if (!plan.storing) co_return;  // the exchange closes its connection
  for (;;) {
    auto piece = co_await ex.read_body();
    if (!piece || (!piece->data.empty() && !plan.writer.append(piece->data))) co_return;
    if (piece->done) break;
  }
  ex.finish();
  st.metrics.refreshes.inc(1);
  st.store.publish(plan.writer);  // seen by lookups and invalidations from now on (session_cache.cpp)
  guard.finish();
  co_await commit_on_disk(st, std::move(plan.writer), 0);
}

}  // namespace

void spawn_background_revalidation(ProxyState& state, LoopData& loop, Route route, Request request,
                                   cache::ObjectPtr stored) {
  asio::co_spawn(loop.pool.executor(),
                 revalidate(state, loop, std::move(route), std::move(request), std::move(stored),
                            state.background.begin()),
                 asio::detached);
}

}  // namespace endhost::http::proxy
