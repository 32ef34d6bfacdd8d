/**
 * English words that can also be read as toneless pinyin (`china` = chi+na, `among` = a+mong, `human` =
 * hu+man). A pinyin form of a lexicon term that equals one of these is not compiled, so that ordinary English
 * text never hits a phonetic pattern.
 *
 * Generated, not hand-picked: every lower-case word of 5+ letters in Debian's `wamerican` word list (SCOWL,
 * © Kevin Atkinson, permissive licence) that splits into toneless pinyin syllables from pinyin-pro's data.
 * Regenerate when the syllable inventory changes; the set is only consulted while compiling.
 */

const WORDS =
  'abaci abalone abase abashing abasing abate abating abide abiding abode abolishing abolition abominate ' +
  'abominating abomination abundance abuse abusing acacia academia academician acetate achier aching acing ' +
  'acumen acute adage adequate adipose adulate adulating adulation aerate aerating aeration aerie again ' +
  'agate ageing agenda aiding ailing aiming airier airing aliasing alibi alien alienate alienating ' +
  'alienation aliening alike aline alining aloha alone along alongside aluminum alumna alumnae alumni ' +
  'amaze amazing ambiance ambience ambition ambulance ambushing ameba amebae ameer amending amino ammonia ' +
  'ammunition amnesia amoeba amoebae among amounting ampoule ampule amputate amputating amputation amputee ' +
  'amuse amusing anaemia analogue andante anemia anemone anger angering angle angling angrier anguishing ' +
  'animate animating animation anime anion anise annealing annexing annotate annotating annotation ' +
  'announce announcing annoyance annoying anode anorexia antedate antedating anteing antenna antennae ' +
  'anticipate anticipating anticipation antigen antiquarian antiquate antiquating antique anyone apace ' +
  'apiece aping apogee aquae aquamarine aquaria arena arise arisen arising arouse arousing ashen ashier ' +
  'ashing aside asinine atelier awaiting awake awaken awakening aware awoke awoken axing axiom azalea ' +
  'azure baaing babier baboon badinage bailing baiting baize balalaika balance balancing baleen baling ' +
  'bamboo banana bandage bandana bandanna bandier banding bangle banishing banner banning banqueting ' +
  'banshee bantam bantering banyan baring baseline baseman basemen bashing basilica basin basing bating ' +
  'baying bayoneting bayou beige being benching bending benzene biasing biding bimbo binding binge ' +
  'bingeing bingo binning biting bitumen boating bodega bodice boding bogeying bohemian bombing bonanza ' +
  'bonbon bondage bonding boner bongo bonier boning bonnie bonnier bonsai boobing boomerang booming bootee ' +
  'bootie booting booze boozier boozing boring bosun boxing bugaboo bulimia bummer bumming bumpier bumping ' +
  'bunching bungle bungling bunion bunkum bunting buoying busheling bushier bushing busier busing butane ' +
  'buying cabana cabin caboose cacao cache caching cadence cadenza caesarean caesarian calamine ' +
  'calendaring calorie calumniate calumniating calve cambia cameo camera cameraman cameramen camerawoman ' +
  'camerawomen camomile campanile campanili campier camping cancan cancelation canceling candidate canine ' +
  'caning cankering cannibalize cannibalizing cannier canning cannon cannonade cannonading cannoning canoe ' +
  'canoeing canon canonization canonize canonizing cantata canteen cantering canting canvasing canyon ' +
  'capacitance capitalization capitalize capitalizing capitulate capitulating capitulation capon careen ' +
  'careening career careering caricature caricaturing caring carouse carousing cashier cashiering cashing ' +
  'casing casino catalogue cataloguer cataloguing catamaran catechise catechising catechize catechizing ' +
  'catering cation cayenne cease ceasing ceding celibate cementing censure censuring censusing centenarian ' +
  'centering centime centurion cerise cerulean cesarean cesarian cetacean chain chaining chairing chaise ' +
  'chalice chameleon chamomile champing champion championing chance chancier chancing chandelier change ' +
  'changeling channeling chanting charier charioteer chase chasing cheapen cheating cheeping cheer ' +
  'cheerier cheering cheese cheesecake cheesier cheesing chemise cherishing cherubim chichi chide chiding ' +
  'chile chili chimaera chime chimera chiming chimpanzee china chinning chino chiseling chitin chummier ' +
  'chumming chute cicada cicadae cilia cilium cinching cindering cinema cinnamon citation citing citizen ' +
  'conga congaing congealing conglomerate conglomerating conglomeration congregate congregating ' +
  'congregation congruence couching counseling countenance countenancing countering counting coupon ' +
  'courier cousin cubing cueing cuing cuisine cumin cumming cumuli cunning cunninger cupola curie curing ' +
  'curio cushier cushion cushioning cutesier dacha daemon daintier damage damming damnation damning dampen ' +
  'damping dance dancing dandelion dandier danger dangle dangling daring dashing database dateline ' +
  'datelining dating datum dazing deaden deadening deafen dealing debase debasing debate debating ' +
  'debenture debilitate debilitating debilitation debiting debuting decade decadence decamping decanting ' +
  'decapitate decapitating decapitation decaying decease deceasing decide deciding decimate decimating ' +
  'decimation decision dedicate dedicating dedication deduce deducing deeding deeming deepen deface ' +
  'defacing defamation defame defaming defending defense defensing defoliate defoliating defoliation ' +
  'defuse defusing degenerate degenerating degeneration dehumanization dehumanize dehumanizing deice ' +
  'deicing delaying delegate delegating delegation delete deleting deletion delicate delimiting delineate ' +
  'delineating delineation delinting deliria delude deluding deluge delusion delve demanding demean ' +
  'demeaning dementia demilitarization demilitarize demilitarizing demise demising demobilization ' +
  'demobilize demobilizing demolishing demolition demon demote demoting demotion demure denature ' +
  'denaturing denier denim denizen denominate denominating denomination denotation denote denoting ' +
  'denounce denouncing dense dentin dentine denting denture denude denuding denunciation denying ' +
  'dependance dependence depending depoliticize depoliticizing depopulate depopulating depopulation depose ' +
  'deposing depositing deposition deputation depute deputing deputize deputizing derange deregulate ' +
  'deregulating deregulation deride deriding derision desalinate desalinating desalination desensitization ' +
  'desensitize desensitizing desire desiring detaching detailing detain detainee detaining detention ' +
  'detouring diadem dialing dialogue dicier dicing dieseling dietician dieting dietitian dilapidation ' +
  'dilate dilating dilation dilemma diligence dilute diluting dilution dimension dimer diminishing ' +
  'diminution dimmer dimming diner dingo dining dinner dinnering dinning diocesan diocese diode dioxide ' +
  'dioxin dipole disabuse disabusing disambiguate disambiguation disease disenchanting disengage ' +
  'disentangle disentangling dishing disinheriting disunite disuniting disuse disusing dongle douche ' +
  'douching douse dousing duding dueling dumfounding dumpier dumping dunce dungaree dungeon dunner dunning ' +
  'dunno duodena duodenum duping during easier easing eaten eating echelon edamame edema editing edition ' +
  'educate educating education eerie eerier egalitarian eigenvalue elate elating elation elegance ' +
  'eliciting elide eliding eliminate eliminating elimination elision elite elocution elongate elongating ' +
  'elongation eloping eloquence elucidate elucidating elucidation elude eluding emaciate emaciating ' +
  'emaciation emailing emanate emanating emanation emancipate emancipating emancipation emcee emceeing ' +
  'emendation emending emerge emergence eminence emoji emote emoting emotion empaneling empire emporia ' +
  'emulate emulating emulation enameling enamoring encamping encase encasing enchanting enchilada ' +
  'encountering endanger endangering endearing ending endue enduing endurance endure enduring enema ' +
  'enemata engage engendering enhance enhancing enmeshing enriching ensue ensuing ensure ensuring ' +
  'entailing entangle entangling entente entering entice enticing entire enumerate enumerating enumeration ' +
  'enunciate enunciating enunciation enure enuring enveloping envying epicure epicurean epilogue equaling ' +
  'equalization equalize equalizing equate equating equation eradicate eradicating eradication erase ' +
  'erasing erasure ermine erode eroding erosion erotica erring erudite erudition exile exiling exiting ' +
  'exude exuding eyeliner eyepiece eying facade faceting facile facilitate facilitating facilitation ' +
  'facing fading familiarization familiarize familiarizing famine famishing fancier fanfare fanning ' +
  'fantasize fantasizing fanzine farina faring fashion fashioning fatigue fatiguing fating faxing fazing ' +
  'feinting fence fencing fending foaling foamier foaming focusing foliage folio fomentation fomenting ' +
  'fondu fondue fooling footage footing forebode foreboding foreman foremen forename forenoon forerunner ' +
  'foresee foreseeing foreseen forewoman forewomen forum fouling foundation foundering founding fountain ' +
  'foxier foxing fueling fugue fumigate fumigating fumigation fuming funding funneling funner funnier ' +
  'fuselage fusing fusion futile future fuzing gaining gainsaying galena galore galvanize galvanizing ' +
  'gamboling gamer gamete gamier gamin gamine gaming gamma ganglia ganglier gangling ganglion gangrene ' +
  'gangrening gaping gashing gating gazebo gazing gearing geeing geese geisha gelatin gelatine genera ' +
  'generalization generalize generalizing generate generating generation genie genitalia genocide genome ' +
  'genre gentian gentile geocache geocaching geode gouge goutier guacamole guano guarantee guaranteeing ' +
  'guidance guide guideline guiding guile guinea guise gumbo gummier gumming gunman gunmen gunner gunning ' +
  'gunrunner gunrunning gunwale gushier gushing guying habitation habituate habituating habituation ' +
  'hacienda haiku hailing hairier haling halogen halon halve hammer hammering hamming handier handing ' +
  'hanger hangman hangmen hankering harangue haranguing harem haring hashing hating haying hazier hazing ' +
  'headache headier heading healing heaping hearing heating heeding heeling helium hemline hemming hempen ' +
  'hence henna hennaing heritage hesitate hesitating hesitation hexing hounding house housekeeping housing ' +
  'human humane humaner humanitarian humanization humanize humanizing humdinger humeri humiliate ' +
  'humiliating humiliation humming humoring humping hunching hunger hungering hungrier hunkering hunting ' +
  'hushing jibing jimmying jingle jingling jinni jinxing jubilation jubilee judicature julienne jumbo ' +
  'jumpier jumping jungle junketing junta kaboom kahuna kamikaze kaolin karaoke keeling keener keening ' +
  'keeping kenneling kenning keying labia laboring lacier lacing lacuna lacunae laden lading lambing ' +
  'lamentation lamenting lamer laminate laminating lamination laming lamming lampoon lampooning lance ' +
  'lancing landing language languishing lanolin lashing lasing latitude layering laying lazier lazing ' +
  'leaching leaden leading league leaguing leakage leaner leaning leaping lease leashing leasing leeching ' +
  'leerier leering legalese legalization legalize legalizing legate legatee legation legume leisure lemma ' +
  'lemme lemming lemon lemonade lending leonine lesion lexica liaise liaising libation licence licencing ' +
  'license licensee licensing licentiate lichee lichen liege ligature ligaturing likelier liken likening ' +
  'limbo limeade limier liming limitation limiting limning limousine limping linage linden lineage lineman ' +
  'linemen linen liner linger lingerer lingerie lingering lingo lining linkage linting lionize lionizing ' +
  'liquoring litigate litigating litigation loading loamier loaner loaning locale localization localize ' +
  'localizing locate locating location locution lonelier loner longer longtime lookalike looming looneyier ' +
  'loonie loonier loopier looping loose loosen loosening loosing looting loping losing lotion lounge louse ' +
  'lousier lozenge lubing lumpier lumping luncheon lunching lunge lupin lupine luring luxuriance luxuriate ' +
  'luxuriating macadam machete machination machine machining macing madam madame magazine magenta ' +
  'maharanee maharishi maiden mailing maiming mainline mainlining maintain maintainer maintaining ' +
  'maintenance maize malaise malaria malice malinger malingerer malingering mambo mamma mammalian mammon ' +
  'manage manatee mandarin mandate mandating manga manganese mange manger mangle mangling mango mania ' +
  'manicure manicuring manipulate manipulating manipulation manlier manna manner manning manse mansion ' +
  'manure manuring maria mariachi marihuana marijuana marimba marina marinade marinading marinate ' +
  'marinating marine mariner maritime mashing materialization materialize materializing mating mature ' +
  'maturing maxim maxima maximization maximize maximizing maximum maxing mayonnaise mealier meandering ' +
  'meaner meaning meantime measure measuring meatier mechanization mechanize mechanizing media median ' +
  'mediate mediating mediation medicate medicating medication medicine meditate meditating meditation ' +
  'medium meeting meetinghouse megalomania melange melanin melanoma melanomata melon memoranda memorandum ' +
  'memorialize memorializing memorization memorize memorizing menace menacing menage menagerie mending ' +
  'menhaden mention mentioning mercantile mercerize mercerizing merchandise merchandising merchandize ' +
  'merchandizing merge meridian meringue merino meriting merman mermen merrier meshing metabolize ' +
  'metabolizing meteorite metering meting mileage militarization militarize militarizing militate ' +
  'militating militia militiaman militiamen miming mimosa mince mincing minding miner mingle mingling ' +
  'miniature miniaturization miniaturize miniaturizing minibike minicam minim minima minimization minimize ' +
  'minimizing minimum mining minion minoring mintier minting minute minuteman minutemen minutia minutiae ' +
  'minuting miring misuse misusing mitering mitigate mitigating mitigation mixing moaning mobile ' +
  'mobilization mobilize mobilizing mocha modeling modem modicum modulate modulating modulation module ' +
  'modulo molecule momentum momma monetize monetizing mongeese monger mongering mongoose monkeying ' +
  'monologue monomania monopolization monopolize monopolizing monoxide montage mooching moodier mooning ' +
  'moonshine mooring moose mooting moping moseying motile motion motioning mounding mountain mountaineer ' +
  'mountaineering mountainside mounting mouse mousier mousing mucilage muleteer mummer munching mundane ' +
  'munition mushier mushing musicale musician musing mutate mutating mutation mutilate mutilating ' +
  'mutilation mutineer muting mutinying myopia nailing namesake naming nasalize nasalizing nation ' +
  'nationalization nationalize nationalizing nature nearing nebula nebulae needier needing negate negating ' +
  'negation neonate nerdier niacin niche niece nimbi ninepin nineteen nixing nodule nominate nominating ' +
  'nomination nominee nonagenarian nonce nonchalance nonhuman nonsense nonunion nonvoting noontime noose ' +
  'noshing nosier nosing notarize notarizing notation notice noticing noting notion nourishing nuance ' +
  'nubile numbing numerate numerating numeration nuncio oaken oakum oaring oaten obeisance ocarina ocean ' +
  'odium okaying omega omnipotence onetime onion online onrushing oozing opaque opaquer opener opiate ' +
  'opine opining opinion opulence orange orangeade orangutan orangutang oregano orientate orientating ' +
  'orientation orienting origami oriole osier otiose ounce outage outing oxidation oxide oxidize oxidizing ' +
  'pacing paean pagan paining painting pairing palace palate paleface paling palisade palomino panacea ' +
  'panache pancake panda pandemonium pandering paneling panier pannier panning pantie panting papaya ' +
  'papoose parentage parenting paring parishioner pasha patenting patience patina patinae patine patio ' +
  'payee paying penalize penalizing penance pence penciling pending pendulum penguin penlite penning ' +
  'pennon pension pensioner pensioning piano picante picayune piece piecing pieing pierce piercing pigeon ' +
  'piling piloting pimping pinafore pinching pincushion pining pinion pinioning pinkeye pinnate pinning ' +
  'pioneer pioneering piping pique piranha pixie poaching podia podium polarization polarize polarizing ' +
  'police policeman policemen policewoman policewomen policing poling polio polishing polite politician ' +
  'politicize politicizing polonaise polonium pomade pomading pommeling pompom pompon pondering pooching ' +
  'pooling pooping populace popularization popularize popularizing populate populating population poring ' +
  'posing positing position positioning potentate potion pouching pounce pouncing pounding pouring pouting ' +
  'puerile pulverization pulverize pulverizing pumice pummeling pumping punchier punching punier punishing ' +
  'punning punting pupae puree pureeing puritan purulence pushier pushing quailing quake quanta quantum ' +
  'quarantine quarantining quashing quasi queasier queen queening queenlier queer queerer queering ' +
  'quenching querying quondam quorum quota quotation quote quotidian quoting ranching randier range ranger ' +
  'ranting reaching readier reading realization realize realizing reamer reaming reanimate reanimating ' +
  'reaping rearing reawaken reawakening rebate rebating rebinding rebuke recantation recanting ' +
  'recapitulate recapitulating recapitulation recede receding recitation recite reciting recounting ' +
  'recouping rededicate rededicating redeem redeemer redeeming redounding reduce reducing reedier ' +
  'reeducate reeducating reeducation reeling reemerge reentering refashion refashioning refocusing ' +
  'refueling refuge refugee refunding refuse refusing refutation refute refuting regain regaining regale ' +
  'regalia regaling regenerate regenerating regeneration regularize regularizing regulate regulating ' +
  'regulation rehabilitate rehabilitating rehabilitation rehashing reheating relate relating relation ' +
  'relaxing relaying release releasing relegate relegating relegation relenting reliance relishing ' +
  'reloading relocate relocating relocation remade remain remaining remake remanding reminding remodeling ' +
  'remote remounting remunerate remunerating remuneration rename renaming rendering rending rendition ' +
  'renegade renegading renege renounce renouncing renting renunciation reopen repainting repairing ' +
  'repaying repentance repenting repose reposing repudiate repudiating repudiation reputation repute ' +
  'reputing reran rereading reroute rerouting rerun rerunning resale resenting reside residence residing ' +
  'residue resilience resin resounding resume resuming retailing retain retainer retaining retake retaken ' +
  'retaliate retaliating retaliation retention reticence retina retinae retinue retire retiree retiring ' +
  'retouching ricing ridicule ridiculing riding riling riming rimming ringer ringside rinse rinsing ' +
  'rioting ripen risen rising rouge rounding rouse rousing route routeing routine routing routinize ' +
  'routinizing rubier ruination ruing ruining ruling rumba rumbaing ruminate ruminating rumination rummage ' +
  'rummer rumoring runner runnier running rushing rutabaga sabotage sachem safari sailing salaam salaaming ' +
  'salami salience saline salon saloon salutation salute saluting salvage salvation salve salver salvo ' +
  'samba sambaing sampan sandier sanding saner sanguine sanitaria sanitation sanitize sanitizing sapience ' +
  'saree sarong sashaying sateen satiate satiating satin sating satire satirize satirizing saying ' +
  'seafaring sealing seaman seamen seamier seaming searing seaside seating secede seceding secularization ' +
  'secularize secularizing secure securing sedan sedate sedating sedation sedimentation sedition seduce ' +
  'seducing seedier seeding seeing seeming seemlier seepage seeping segue segueing selenium selvage semen ' +
  'seminarian senate sending senile senna sensation sense sensing sensitization sensitize sensitizing ' +
  'sentence sentencing sentience sentimentalize sentimentalizing sepia sequence sequencing serenade ' +
  'serenading serene serener serialization serialize serializing serum sesame sewage sexier sexing shade ' +
  'shadier shading shake shaken shale shaman shame shaming shamming shampoo shanghai shantung shaping ' +
  'share shareware sharia sharing shearing shebang sheen sheer sheerer sheering sheeting shelve shenanigan ' +
  'shimmer shimmering shimming shimmying shinbone shine shiner shingle shingling shinier shining shinning ' +
  'shinnying shire shouting shunning shunting shushing shuteye sideline sidelining sidelong siding siege ' +
  'silage silence silencing silica silicate silvan silver silvering silverware simian simile simmer ' +
  'simmering simulate simulating simulation since sincere sinecure singe singeing singer single singling ' +
  'singsong sinner sinning siren siring siting situate situating situation sizing sounding soupier souping ' +
  'souring souse sousing suede sugarier sugaring suicide suing suite suiting summarize summarizing ' +
  'summation summer summerhouse summering summertime summing summon summoner summoning summonsing sundae ' +
  'sundering sunken sunnier sunning sunrise sunshine suntan suntanning supine sushi suture suturing taboo ' +
  'tabulate tabulating tabulation tailing tailoring tainting taken talon tamale tamer taming tamping ' +
  'tampon tandem tangelo tangerine tangle tangling tango tanner tannin tanning tantalize tantalizing ' +
  'taping tapioca tarantula tarantulae taring tasering taxing teaching teaming teammate tearier tearing ' +
  'tease teasing teatime tedium teeing teeming teenage teenier teensier teetering telexing tempi temping ' +
  'tempo temporize temporizing tenanting tendering tenderize tenderizing tending tenon tenoning tenpin ' +
  'tense tensile tensing tension tenting tenure tenuring tibia tibiae tidier tiding tieing tiling timelier ' +
  'timeline timepiece timer timing timpani tinge tingeing tingle tingling tinier tinkering tinnier tinning ' +
  'tinseling tinting tintinnabulation tiring titan titanium toucan touchier touching touring touting ' +
  'tubing tuition tuner tuning tunneling tureen tutelage wading wagering wailing waiting waken wakening ' +
  'waling wampum wandering wangle wangling waning wanna wanner wanting wapiti warehouse warehousing warier ' +
  'washing waterier watering waxier waxing wending woken wolverine woman womanize womanizing womanlier ' +
  'womanlike women wondering wooden woodener woodier wooding wooer woolen woolie woolier woozier yammer ' +
  'yammering yeoman yeomen yodeling young younger yuletide yummier zanier zincing zinger zinnia';

/** Builds the stoplist set; callers keep it for the duration of a compile. */
export function createEnglishPinyinStoplist(): ReadonlySet<string> {
  return new Set(WORDS.split(' '));
}
