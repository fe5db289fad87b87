-- Argo CD health of a Fledge Rollout (fledge.dev/v1alpha1, kind Rollout).
--
-- Argo CD runs this with `obj` set to the Rollout and shows the returned status:
--   Progressing  the controller has not yet seen the latest spec, or a canary is moving through its steps
--   Suspended    the rollout waits for a person: a pause step, spec.paused, an inconclusive analysis, a contested
--                route, or metrics missing for a while (the message says which and what to do)
--   Degraded     the spec is invalid, the controller's writes are refused, the route cannot be set, or the canary
--                was rolled back or aborted (the stable version still serves)
--   Healthy      the current template is stable and every step is done
-- Written for Lua 5.1 (what Argo CD evaluates health scripts with); tested with lua5.1 and lua5.4.

local hs = {}

local function condition(kind)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

local function message(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  if obj.status ~= nil and obj.status.message ~= nil and obj.status.message ~= "" then
    return obj.status.message
  end
  return fallback
end

local function result(status, text)
  hs.status = status
  hs.message = text
  return hs
end

if obj.status == nil then
  return result("Progressing", "Waiting for the Fledge controller to report the rollout's status")
end

local generation = nil
if obj.metadata ~= nil then
  generation = obj.metadata.generation
end
local observed = obj.status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  return result("Progressing", "Waiting for the Fledge controller to observe generation " .. string.format("%d", generation))
end

local invalid = condition("InvalidSpec")
if invalid ~= nil and invalid.status == "True" then
  return result("Degraded", message(invalid, "The Rollout's spec is invalid"))
end

local writes = condition("WritesAccepted")
if writes ~= nil and writes.status == "False" then
  return result("Degraded", message(writes, "The API server refuses the controller's writes"))
end

local phase = obj.status.phase

local routed = condition("TrafficRouted")
if routed ~= nil and routed.status == "False" and phase ~= "Paused" then
  return result("Degraded", message(routed, "The route cannot be set"))
end

if phase == "Degraded" then
  return result("Degraded", message(condition("Progressing"), "The canary was rolled back; the stable version serves"))
end

if phase == "Paused" or (obj.spec ~= nil and obj.spec.paused == true) then
  local paused = condition("Paused")
  return result("Suspended", message(paused, "The rollout is paused"))
end

if phase == "Healthy" then
  return result("Healthy", message(condition("Completed"), "The rollout is complete"))
end

return result("Progressing", message(condition("Progressing"), "The rollout is progressing"))
